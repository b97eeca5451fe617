/**
 * Builds the sidecar's spec from a validated injection config and the resolved stores and schemas.
 * Pure and deterministic: the same inputs give byte-identical JSON, so the spec hash is stable.
 */
import { SPEC_VERSION, type SizeLimits, type FileSpec, type SidecarSpec, type StoreSpec } from '../../sidecar/spec/types.js';
import type { KubeObject } from '../admission/types.js';
import { DEFAULT_DEBOUNCE_MS } from './annotations.js';
import type { InjectionConfig } from './config.js';

/** Everything the spec is built from besides the config. */
export interface SpecInputs {
  namespace: string;
  pod: KubeObject;
  tenant?: string | undefined;
  environment?: string | undefined;
  stores: Record<string, StoreSpec>;
  schemas: Map<string, Record<string, unknown>>;
  initOnly: boolean;
  fetchBudgetPerMinute?: number | undefined;
  /** What the sidecar may write (sidecarSizeLimits of the volume and the per-file maximum). */
  limits?: SizeLimits | undefined;
}

/** Returns the controlling owner of the pod (or its first owner), as the spec records it. */
export function podOwner(pod: KubeObject): { kind: string; name: string } | undefined {
  const refs = pod.metadata?.ownerReferences ?? [];
  const ref = refs.find((r) => r.controller) ?? refs[0];
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

/** Builds the SidecarSpec; the caller validates it with validateSpec before placing it in the pod. */
export function buildSidecarSpec(config: InjectionConfig, inputs: SpecInputs): SidecarSpec {
  const pod: SidecarSpec['pod'] = { namespace: inputs.namespace };
  const name = inputs.pod.metadata?.name;
  if (name) pod.name = name;
  if (inputs.tenant) pod.tenant = inputs.tenant;
  if (inputs.environment) pod.environment = inputs.environment;
  const owner = podOwner(inputs.pod);
  if (owner) pod.owner = owner;

  const files: FileSpec[] = config.files.map((f) => {
    const file: FileSpec = { name: f.name, kind: f.kind, sources: f.sources.map((s) => ({ ...s })), format: f.format, mode: f.mode };
    if (f.template !== undefined) file.template = f.template;
    if (f.schemaName !== undefined) {
      file.schemaName = f.schemaName;
      const schema = inputs.schemas.get(f.schemaName);
      if (schema) file.schema = schema;
    }
    return file;
  });

  const stores: Record<string, StoreSpec> = {};
  for (const key of Object.keys(inputs.stores).sort()) stores[key] = inputs.stores[key]!;

  const spec: SidecarSpec = {
    version: SPEC_VERSION,
    pod,
    mountPath: config.mountPath,
    files,
    stores,
    reload: config.reload.map((s) => ({ ...s })),
    refreshSeconds: config.refreshSeconds,
    onFailure: config.onFailure,
    initOnly: inputs.initOnly,
    debounceMs: DEFAULT_DEBOUNCE_MS,
  };
  if (config.health) spec.health = { ...config.health };
  if (inputs.fetchBudgetPerMinute !== undefined) spec.fetchBudgetPerMinute = inputs.fetchBudgetPerMinute;
  if (inputs.limits) spec.limits = { ...inputs.limits };
  return spec;
}
