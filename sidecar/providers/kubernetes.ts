/**
 * The Kubernetes provider: Secrets ("secret/<name>") and ConfigMaps ("configmap/<name>") in the
 * pod's own namespace, read and watched through the API (in-cluster config or KUBECONFIG).
 * Secret data and ConfigMap binaryData are kept as bytes (a `#key` into a raw file is exact, binary
 * included); text formats read them as UTF-8.
 */
import { SidecarError } from '../errors.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';
import type { ConfigurationOptions, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { backoffDelay, sleep } from '../fallback/backoff.js';

/** Splits "secret/<name>" or "configmap/<name>" into kind and name. Pure. */
export function parseKubePath(path: string): { kind: 'secrets' | 'configmaps'; name: string } {
  const m = /^(secret|secrets|configmap|configmaps)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(path);
  if (!m) throw new SidecarError('NOT_FOUND', `kubernetes path ${path} must be secret/<name> or configmap/<name>`, { path });
  return { kind: m[1]!.startsWith('secret') ? 'secrets' : 'configmaps', name: m[2]! };
}

/** Request options that abort the API call when the signal (the fetcher's read deadline) fires; the client has no timeout of its own. */
function abortOptions(signal: AbortSignal | undefined): ConfigurationOptions | undefined {
  if (!signal) return undefined;
  // The object API runs middleware as its (stub) observables: anything with toPromise().
  const done = <T>(value: T) => ({ toPromise: () => Promise.resolve(value), pipe: <U>(f: (v: T) => U) => done(f(value)) });
  const middleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(signal);
      return done(ctx);
    },
    post: (res: ResponseContext) => done(res),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' } as unknown as ConfigurationOptions;
}

/** How long one watch request lasts before the apiserver ends it and the provider reconnects. */
export const KUBE_WATCH_TIMEOUT_SECONDS = 290;

/** Creates the Kubernetes provider of a store; `watchTimeoutSeconds` is shortened by tests. */
export async function createKubernetesProvider(ctx: ProviderContext, watchTimeoutSeconds = KUBE_WATCH_TIMEOUT_SECONDS): Promise<Provider> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespace = ctx.namespace;
  const fail = (err: unknown, path: string): SidecarError => {
    const status = (err as { code?: number }).code;
    const code = status === 404 ? 'NOT_FOUND' : status === 401 || status === 403 ? 'DENIED' : typeof status === 'number' && status < 500 ? 'BAD_RESPONSE' : 'UNAVAILABLE';
    return new SidecarError(code, `kubernetes ${path} in namespace ${namespace}: ${status ? `HTTP ${status}` : (err as Error).message}`, { path }, { cause: err });
  };
  return {
    async read(ref: ProviderRef, signal?: AbortSignal): Promise<FetchedValue> {
      const { kind, name } = parseKubePath(ref.path);
      const options = abortOptions(signal);
      try {
        if (kind === 'secrets') {
          const s = await core.readNamespacedSecret({ name, namespace }, options);
          const value = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
          return { value, version: s.metadata?.resourceVersion ?? '' };
        }
        const c = await core.readNamespacedConfigMap({ name, namespace }, options);
        const bin = Object.fromEntries(Object.entries(c.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
        return { value: { ...bin, ...(c.data ?? {}) }, version: c.metadata?.resourceVersion ?? '' };
      } catch (err) {
        throw fail(err, ref.path);
      }
    },
    watch(ref: ProviderRef, onChange: () => void, signal: AbortSignal): void {
      const { kind, name } = parseKubePath(ref.path);
      const watch = new k8s.Watch(kc);
      // One abort listener for the whole watch, whatever the number of reconnects.
      let current: AbortController | undefined;
      signal.addEventListener('abort', () => current?.abort(), { once: true });
      void (async () => {
        let failures = 0;
        while (!signal.aborted) {
          const failed = await new Promise<boolean>((resolve) => {
            // A watch of this one object (fieldSelector metadata.name=<name>): the apiserver authorises
            // it against resourceNames, so the Role `bulwark rbac` generates (watch on this name) suffices.
            watch
              .watch(`/api/v1/namespaces/${namespace}/${kind}`, { fieldSelector: `metadata.name=${name}`, timeoutSeconds: watchTimeoutSeconds }, (type) => {
                if (type === 'MODIFIED' || type === 'DELETED' || type === 'ADDED') onChange();
              }, (err: unknown) => resolve(err !== null && err !== undefined))
              .then((req) => {
                current = req;
                if (signal.aborted) req.abort();
              })
              .catch(() => resolve(true));
          });
          // The apiserver ends every watch after timeoutSeconds: that is no failure, reconnect at once.
          failures = failed ? failures + 1 : 0;
          await sleep(failed ? backoffDelay(failures, 500, 30_000) : 50, signal);
        }
      })();
    },
  };
}
