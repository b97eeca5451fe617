/**
 * Reads raw values from etcd through its v3 gRPC-gateway JSON API (POST /v3/kv/range with base64
 * keys), bypassing the apiserver, to check what is really stored at rest.
 */

/** Returns the raw bytes stored under key, or undefined when the key does not exist. */
export async function etcdGet(etcdUrl: string, key: string): Promise<Buffer | undefined> {
  const res = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: Buffer.from(key, 'utf8').toString('base64') }),
  });
  if (!res.ok) throw new Error(`etcd range ${key}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { kvs?: Array<{ value?: string }> };
  const kv = body.kvs?.[0];
  return kv ? Buffer.from(kv.value ?? '', 'base64') : undefined;
}

/** The etcd key under which kube-apiserver stores a namespaced core object (e.g. secrets, configmaps). */
export function registryKey(resource: string, namespace: string, name: string): string {
  return `/registry/${resource}/${namespace}/${name}`;
}
