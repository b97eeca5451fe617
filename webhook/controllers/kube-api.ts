/**
 * The drift scan's API edges: GET a ConfigMap or Secret as plain JSON, create an Event, and turn a
 * client-node error into a short description (status and the apiserver's reason, never headers or bodies).
 */
import type * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import type { DriftEvent } from './drift-event.js';
import type { DriftKind } from './drift-findings.js';
import type { EventSink, ObjectReader } from './drift-scan.js';

/** The HTTP status of a client-node ApiException, if the error is one. */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A short, value-free description of an API error: "HTTP 403: <the Status message>" or the error's message. */
export function describeApiError(err: unknown): string {
  const status = apiStatus(err);
  if (status === undefined) return err instanceof Error ? err.message : String(err);
  const body = (err as { body?: unknown }).body;
  let reason = '';
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    if (parsed && typeof parsed.message === 'string') reason = `: ${parsed.message}`;
  } catch {
    // not a Status body: the status code alone
  }
  return `HTTP ${status}${reason}`;
}

/** An ObjectReader that GETs ConfigMaps and Secrets with CoreV1Api and returns them as plain JSON. */
export async function kubeObjectReader(kc: k8s.KubeConfig): Promise<ObjectReader> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CoreV1Api);
  return {
    async get(kind: DriftKind, namespace: string, name: string) {
      try {
        const obj = kind === 'ConfigMap' ? await api.readNamespacedConfigMap({ name, namespace }) : await api.readNamespacedSecret({ name, namespace });
        // Plain JSON (dates as strings) with kind set, as an AdmissionRequest would carry it.
        return { ...(JSON.parse(JSON.stringify(obj)) as KubeObject), apiVersion: 'v1', kind };
      } catch (err) {
        if (apiStatus(err) === 404) return undefined;
        throw new Error(`GET ${kind} ${namespace}/${name}: ${describeApiError(err)}`);
      }
    },
  };
}

/** An EventSink that creates core/v1 Events in the event's namespace. */
export async function kubeEventSink(kc: k8s.KubeConfig): Promise<EventSink> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CoreV1Api);
  return {
    async create(event: DriftEvent) {
      try {
        await api.createNamespacedEvent({ namespace: event.metadata.namespace, body: event as unknown as k8s.CoreV1Event });
      } catch (err) {
        throw new Error(`create Event in ${event.metadata.namespace}: ${describeApiError(err)}`);
      }
    },
  };
}
