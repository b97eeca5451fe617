/**
 * Spec tampering at admission: a pod that carries a sidecar spec (see spec-carriers.ts) is checked against what injection would build for its namespace and
 * tenant: the same namespace and tenant, every store resolved the same way with the same path
 * prefixes, every source path clean and under those prefixes, and the tenant's fetch budget. A
 * hand-written spec that widens prefixes or names another tenant is refused. Pure.
 */
import { isUnderPrefix } from '../../contract/store-path.js';
import { isDeepStrictEqual } from 'node:util';
import { SPEC_ENV, type SidecarSpec } from '../../sidecar/spec/types.js';
import type { KubeObject } from '../admission/types.js';
import { resolveStoreFor } from '../inject/stores.js';
import type { DocumentSet } from '../policy/documents.js';
import { checkStorePath } from './path.js';
import { findSpecCarriers, type ContainerList, type SourceKeys } from './spec-carriers.js';
import { violation, type TenancyViolation } from './violation.js';

/** Returns the literal BULWARK_SPEC values found on any init, app or ephemeral container of a pod. */
export function specsInPod(pod: KubeObject): string[] {
  return findSpecCarriers(pod).specs.map((s) => s.value);
}

/** Lists how one spec differs from what injection would build for this namespace and tenant. */
export function specDifferences(docs: DocumentSet, spec: SidecarSpec, namespace: string, tenant: string | undefined): string[] {
  const diffs: string[] = [];
  if (spec.pod?.namespace !== namespace) diffs.push(`pod.namespace is ${JSON.stringify(spec.pod?.namespace)}, not ${namespace}`);
  if (spec.pod?.tenant !== tenant) diffs.push(`pod.tenant is ${JSON.stringify(spec.pod?.tenant ?? null)}, not ${JSON.stringify(tenant ?? null)}`);
  const tenantDoc = tenant ? docs.tenants.get(tenant) : undefined;
  const scope = { namespace, tenant, tenantDoc };
  const stores = spec.stores ?? {};
  for (const [name, got] of Object.entries(stores)) {
    const want = resolveStoreFor(docs, scope, name, SPEC_ENV);
    if ('error' in want) diffs.push(`store ${name}: ${want.error.message}`);
    else if (!isDeepStrictEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(want.spec)))) {
      diffs.push(`store ${name} is not the one Bulwark resolves (path prefixes ${JSON.stringify(got?.pathPrefixes ?? [])} instead of ${JSON.stringify(want.spec.pathPrefixes ?? [])})`);
    }
  }
  for (const f of spec.files ?? []) {
    for (const s of f?.sources ?? []) {
      const check = checkStorePath(String(s?.path ?? ''));
      if ('problem' in check) diffs.push(`file ${f.name} source ${JSON.stringify(s?.path)}: ${check.problem}`);
      const store = stores[s?.store];
      if (!store) diffs.push(`file ${f.name} names store ${JSON.stringify(s?.store)}, which the spec does not define`);
      else if (store.pathPrefixes?.length && !store.pathPrefixes.some((p) => isUnderPrefix(String(s.path), p))) {
        diffs.push(`file ${f.name} reads ${JSON.stringify(s.path)} outside the prefixes of store ${s.store}`);
      }
    }
  }
  const budget = tenantDoc?.spec.quotas?.fetchesPerMinute;
  if (budget !== undefined && spec.fetchBudgetPerMinute !== budget) diffs.push(`fetchBudgetPerMinute is ${spec.fetchBudgetPerMinute ?? 'unset'}, not tenant ${tenant}'s ${budget}`);
  return diffs;
}

/** What checkPodSpecs looks at: which container lists (all by default), and the cache's key names of env sources. */
export interface PodSpecCheckOptions {
  lists?: readonly ContainerList[];
  sourceKeys?: SourceKeys;
}

/**
 * Checks every way a pod hands a sidecar spec to a container: literal specs against what injection
 * would build, and carriers that cannot be checked (valueFrom, envFrom, --spec-file, look-alike
 * Bulwark containers), refused outright; returns one violation per tampered carrier.
 */
export function checkPodSpecs(docs: DocumentSet, pod: KubeObject, namespace: string, tenant: string | undefined, opts: PodSpecCheckOptions = {}): TenancyViolation[] {
  const out: TenancyViolation[] = [];
  const name = pod.metadata?.name ?? pod.metadata?.generateName ?? '';
  const carriers = findSpecCarriers(pod, opts.lists, opts.sourceKeys);
  for (const problem of carriers.problems) {
    out.push(violation('TENANT_SPEC_TAMPERED', tenant, `pod ${namespace}/${name}: ${problem} (annotate the pod bulwark.dev/inject: "true" instead)`));
  }
  for (const { container, value } of carriers.specs) {
    let spec: SidecarSpec;
    try {
      spec = JSON.parse(value) as SidecarSpec;
    } catch {
      out.push(violation('TENANT_SPEC_TAMPERED', tenant, `pod ${namespace}/${name} ${container} carries a ${SPEC_ENV} that is not valid JSON; let the webhook inject the sidecar (annotate the pod bulwark.dev/inject: "true")`));
      continue;
    }
    const diffs = spec && typeof spec === 'object' ? specDifferences(docs, spec, namespace, tenant) : ['it is not an object'];
    if (diffs.length) {
      out.push(violation('TENANT_SPEC_TAMPERED', tenant, `pod ${namespace}/${name} carries a sidecar spec that differs from what Bulwark injects for ${tenant ? `tenant ${tenant}` : 'a namespace without tenant'}: ${diffs.join('; ')}; remove the hand-made sidecar and let the webhook inject it`));
    }
  }
  return out;
}

/** A ConfigMap or Secret key that would hand a spec to a container through envFrom: refused at admission. */
export function specKeyViolation(kind: string, namespace: string, name: string, keys: readonly string[], tenant: string | undefined): TenancyViolation | undefined {
  if (!keys.includes(SPEC_ENV)) return undefined;
  return violation('TENANT_SPEC_TAMPERED', tenant, `${kind} ${namespace}/${name} has a key ${SPEC_ENV}, which would hand a sidecar spec to a container through envFrom; only the webhook injects a spec, rename the key`);
}
