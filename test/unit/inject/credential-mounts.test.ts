/**
 * Bulwark's own credential mounts: the service-account token (the pod's volume when an app container
 * mounts one, else a projected volume of the plugin's shape; none when no store needs it), store
 * volumes, the role's {tenant} expansion, and the warning for store files no volume provides.
 */
import assert from 'node:assert/strict';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';
import { TOKEN_VOLUME_NAME, needsKubernetesToken, planCredentialMounts, podTokenVolume, storeVolumeName, unmountedStoreFiles } from '../../../webhook/inject/credential-mounts.js';
import { resolveStoreFor } from '../../../webhook/inject/stores.js';
import { emptyDocumentSet } from '../../../webhook/policy/documents.js';
import type { SecretStore } from '../../../webhook/policy/documents.js';

type Deps = Pick<SidecarSpec, 'stores' | 'reload'>;
const vaultK8s: Deps = { stores: { vault: { provider: 'vault', address: 'https://v:8200', auth: { method: 'kubernetes', role: 'r' } } }, reload: [{ type: 'none' }] };
const vaultToken: Deps = { stores: { vault: { provider: 'vault', address: 'https://v:8200', auth: { method: 'token', tokenFile: '/var/run/secrets/bulwark/v/token' } } }, reload: [{ type: 'none' }] };
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('inject/credential-mounts', () => {
  it('needs the token for the kubernetes store, Vault kubernetes auth and the restart reload only', () => {
    assert.equal(needsKubernetesToken(vaultK8s), true);
    assert.equal(needsKubernetesToken(vaultToken), false);
    assert.equal(needsKubernetesToken({ stores: { kubernetes: { provider: 'kubernetes' } }, reload: [] }), true);
    assert.equal(needsKubernetesToken({ stores: { aws: { provider: 'aws-ssm', region: 'eu-west-1' } }, reload: [{ type: 'restart' }] }), true);
    assert.equal(needsKubernetesToken({ stores: { aws: { provider: 'aws-ssm', region: 'eu-west-1' } }, reload: [{ type: 'signal', signal: 'SIGHUP' }] }), false);
  });

  it("reuses the pod's own kube-api-access volume when an app container mounts it", () => {
    const pod = { volumes: [{ name: 'kube-api-access-x1', projected: {} }], containers: [{ name: 'app', volumeMounts: [{ name: 'kube-api-access-x1', mountPath: `${SA}/` }] }] };
    assert.equal(podTokenVolume(pod), 'kube-api-access-x1');
    const plan = planCredentialMounts(pod, vaultK8s, new Map());
    assert.deepEqual(plan.volumes, []);
    assert.deepEqual(plan.mounts, [{ name: 'kube-api-access-x1', mountPath: SA, readOnly: true }]);
  });

  it('adds a projected token volume of the plugin shape when the pod has none (automountServiceAccountToken: false)', () => {
    const pod = { automountServiceAccountToken: false, serviceAccountName: 'default', containers: [{ name: 'app' }] };
    const plan = planCredentialMounts(pod, vaultK8s, new Map());
    assert.deepEqual(plan.warnings, []);
    assert.equal(plan.volumes.length, 1);
    const v = plan.volumes[0] as { name: string; projected: { sources: Record<string, any>[] } };
    assert.equal(v.name, TOKEN_VOLUME_NAME);
    assert.deepEqual(v.projected.sources.map((s) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
    assert.equal(v.projected.sources[1]!.configMap.name, 'kube-root-ca.crt');
    assert.deepEqual(plan.mounts, [{ name: TOKEN_VOLUME_NAME, mountPath: SA, readOnly: true }]);
  });

  it('projects no token into a pod without a service account (the apiserver would refuse it) and warns', () => {
    const plan = planCredentialMounts({ containers: [{ name: 'app' }] }, vaultK8s, new Map());
    assert.deepEqual(plan.volumes, []);
    assert.deepEqual(plan.mounts, []);
    assert.match(plan.warnings[0]!, /names no service account .* set spec.serviceAccountName/);
  });

  it('a volume named in a mount but absent from spec.volumes is not taken for the token volume', () => {
    assert.equal(podTokenVolume({ containers: [{ name: 'app', volumeMounts: [{ name: 'ghost', mountPath: SA }] }] }), undefined);
  });

  it('mounts no token when no store needs one, and every store volume read-only with a stable name', () => {
    const vols = new Map([['vault', [{ secret: 'vault-approle', mountPath: '/var/run/secrets/bulwark/v' }, { configMap: 'vault-ca', mountPath: '/var/run/secrets/bulwark/ca', optional: true }]]]);
    const plan = planCredentialMounts({ containers: [{ name: 'app' }] }, vaultToken, vols);
    const n1 = storeVolumeName('vault', vols.get('vault')![0]!);
    const n2 = storeVolumeName('vault', vols.get('vault')![1]!);
    assert.match(n1, /^bulwark-store-[0-9a-f]{12}$/);
    assert.notEqual(n1, n2);
    assert.deepEqual(plan.volumes, [
      { name: n1, secret: { secretName: 'vault-approle', defaultMode: 0o444 } },
      { name: n2, configMap: { name: 'vault-ca', defaultMode: 0o444, optional: true } },
    ]);
    assert.deepEqual(plan.mounts, [
      { name: n1, mountPath: '/var/run/secrets/bulwark/v', readOnly: true },
      { name: n2, mountPath: '/var/run/secrets/bulwark/ca', readOnly: true },
    ]);
  });

  it('names store files under /var/run/secrets/bulwark/ that no volume of the store provides', () => {
    assert.deepEqual(unmountedStoreFiles(vaultToken, new Map()), ['store vault: /var/run/secrets/bulwark/v/token']);
    assert.deepEqual(unmountedStoreFiles(vaultToken, new Map([['vault', [{ secret: 's', mountPath: '/var/run/secrets/bulwark/v' }]]])), []);
    assert.deepEqual(unmountedStoreFiles({ stores: { vault: { provider: 'vault', caFile: '/etc/ssl/ca.pem' } } }, new Map()), []);
  });

  it('expands {tenant} in auth.role per pod, refuses it without a tenant, and returns the store volumes', () => {
    const docs = emptyDocumentSet();
    const store: SecretStore = {
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'vault' },
      spec: { provider: 'vault', address: 'https://v:8200', auth: { method: 'kubernetes', role: 'bulwark-{tenant}' }, volumes: [{ configMap: 'vault-ca', mountPath: '/var/run/secrets/bulwark/vault' }] },
    };
    docs.clusterStores.set('vault', store);
    const r = resolveStoreFor(docs, { namespace: 'team-a', tenant: 'acme' }, 'vault', 'bulwark.dev/secret.x');
    assert.ok('spec' in r);
    assert.equal(r.spec.auth?.role, 'bulwark-acme');
    assert.equal(store.spec.auth?.role, 'bulwark-{tenant}', 'the document is not changed');
    assert.deepEqual(r.volumes, [{ configMap: 'vault-ca', mountPath: '/var/run/secrets/bulwark/vault' }]);
    assert.equal((r.spec as unknown as Record<string, unknown>).volumes, undefined, 'volumes never reach the sidecar spec');
    const none = resolveStoreFor(docs, { namespace: 'plain' }, 'vault', 'bulwark.dev/secret.x');
    assert.ok('error' in none);
    assert.match(none.error.message, /role per tenant .* has no tenant; label the namespace/);
  });
});
