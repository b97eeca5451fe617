/**
 * Spec tampering at admission: a pod that carries a sidecar spec (the BULWARK_SPEC environment
 * variable of any container) is checked against what injection would build for its namespace and
 * tenant: the same namespace and tenant, every store resolved the same way with the same path
 * prefixes, every source path clean and under those prefixes, and the tenant's fetch budget. A
 * hand-written spec that widens prefixes or names another tenant is refused. Pure.
 */
import { isDeepStrictEqual } from 'node:util';
import { SPEC_ENV, type SidecarSpec } from '../../sidecar/spec/types.js';
import type { KubeObject } from '../admission/types.js';
import { resolveStoreFor, underPrefix } from '../inject/stores.js';
import type { DocumentSet } from '../policy/documents.js';
import { checkStorePath } from './path.js';
import { violation, type TenancyViolation } from './violation.js';

/** Returns the raw BULWARK_SPEC values found on any container or init container of a pod. */
export function specsInPod(pod: KubeObject): string[] {
  const spec = (pod.spec ?? {}) as { containers?: unknown[]; initContainers?: unknown[] };
  const out: string[] = [];
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Array<{ env?: Array<{ name?: string; value?: string }> }>) {
    for (const e of c?.env ?? []) if (e?.name === SPEC_ENV && typeof e.value === 'string') out.push(e.value);
  }
  return out;
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
      else if (store.pathPrefixes?.length && !store.pathPrefixes.some((p) => underPrefix(String(s.path), p))) {
        diffs.push(`file ${f.name} reads ${JSON.stringify(s.path)} outside the prefixes of store ${s.store}`);
      }
    }
  }
  const budget = tenantDoc?.spec.quotas?.fetchesPerMinute;
  if (budget !== undefined && spec.fetchBudgetPerMinute !== budget) diffs.push(`fetchBudgetPerMinute is ${spec.fetchBudgetPerMinute ?? 'unset'}, not tenant ${tenant}'s ${budget}`);
  return diffs;
}

/** Checks every sidecar spec a pod carries; returns a violation per tampered spec. */
export function checkPodSpecs(docs: DocumentSet, pod: KubeObject, namespace: string, tenant: string | undefined): TenancyViolation[] {
  const out: TenancyViolation[] = [];
  const name = pod.metadata?.name ?? pod.metadata?.generateName ?? '';
  for (const raw of specsInPod(pod)) {
    let spec: SidecarSpec;
    try {
      spec = JSON.parse(raw) as SidecarSpec;
    } catch {
      out.push(violation('TENANT_SPEC_TAMPERED', tenant, `pod ${namespace}/${name} carries a ${SPEC_ENV} that is not valid JSON; let the webhook inject the sidecar (annotate the pod bulwark.dev/inject: "true")`));
      continue;
    }
    const diffs = specDifferences(docs, spec, namespace, tenant);
    if (diffs.length) {
      out.push(violation('TENANT_SPEC_TAMPERED', tenant, `pod ${namespace}/${name} carries a sidecar spec that differs from what Bulwark injects for ${tenant ? `tenant ${tenant}` : 'a namespace without tenant'}: ${diffs.join('; ')}; remove the hand-made sidecar and let the webhook inject it`));
    }
  }
  return out;
}
