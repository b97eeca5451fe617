/**
 * Metadata-only lists and watches: asked with these Accept headers, the apiserver answers each object
 * as a PartialObjectMetadata (apiVersion meta.k8s.io/v1: its metadata and nothing else), so a cache
 * that needs only labels and annotations never receives a pod's spec (commands, env values) or status.
 * The representation does not change what RBAC allows: the same list and watch verbs are required.
 */
import * as k8s from '@kubernetes/client-node';

/** Accept header of a list that returns a PartialObjectMetadataList. */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** Accept header of a watch whose events carry PartialObjectMetadata objects. */
export const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** Request options for a typed list call (e.g. CoreV1Api.listPodForAllNamespaces) that asks for metadata only. */
export function metadataListOptions(): k8s.ConfigurationOptions {
  return k8s.setHeaderOptions('Accept', METADATA_LIST_ACCEPT);
}

/**
 * A KubeConfig for k8s.Watch whose requests ask for metadata-only events: the original's clusters,
 * users and credentials (through the prototype), with the Accept header set on every request it prepares.
 */
export function metadataWatchConfig(kc: k8s.KubeConfig): k8s.KubeConfig {
  const derived = Object.create(kc) as k8s.KubeConfig;
  derived.applyToFetchOptions = async (opts) => {
    const init = await kc.applyToFetchOptions(opts);
    (init.headers as { set(name: string, value: string): void }).set('Accept', METADATA_WATCH_ACCEPT);
    return init;
  };
  return derived;
}
