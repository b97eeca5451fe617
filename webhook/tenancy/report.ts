/**
 * The tenant report behind `bulwark tenants`: every tenant with its namespaces, environments, stores
 * and the prefixes it reads, quotas, and the sharing grants it gives and receives (unsound grants
 * flagged with why). Pure: documents and namespace metadata in, plain data or text out.
 */
import type { NamespaceInfo } from '../cluster/types.js';
import type { DocumentSet } from '../policy/documents.js';
import { grantProblem, grantsFrom, grantsTo, KUBE_STORE, ownPrefixes } from './grants.js';
import { limitsOf } from './quotas.js';
import { tenantOf } from './tenants.js';

/** One grant as the report shows it. */
export interface GrantLine {
  from: string;
  to: string[];
  store: string;
  path: string;
  description?: string | undefined;
  /** Why the grant is ignored, when it is unsound. */
  problem?: string | undefined;
}

/** One tenant in the report. */
export interface TenantReport {
  name: string;
  /** False for a tenant that only appears as a namespace label. */
  documented: boolean;
  namespaces: string[];
  environments: string[];
  stores: Array<{ name: string; prefixes: string[] }>;
  quotas: Record<string, number>;
  grantsGiven: GrantLine[];
  grantsReceived: GrantLine[];
  labelAdmins: string[];
}

function line(docs: DocumentSet, g: ReturnType<typeof grantsFrom>[number]): GrantLine {
  const out: GrantLine = { from: g.from, to: g.to, store: g.store, path: g.path };
  if (g.description) out.description = g.description;
  const problem = grantProblem(docs, g);
  if (problem) out.problem = problem;
  return out;
}

/** Builds the report for every tenant of the documents and of the namespace labels. */
export function buildTenantReport(docs: DocumentSet, namespaces: NamespaceInfo[]): TenantReport[] {
  const members = new Map<string, Set<string>>();
  for (const [name, t] of docs.tenants) members.set(name, new Set(t.spec.namespaces ?? []));
  for (const ns of namespaces) {
    const t = tenantOf(docs, ns);
    if (t) (members.get(t) ?? members.set(t, new Set()).get(t)!).add(ns.name);
  }
  return [...members.keys()].sort().map((name) => {
    const doc = docs.tenants.get(name);
    const storeNames = doc?.spec.stores?.map((s) => s.name) ?? [...docs.clusterStores.keys()].sort();
    const envs = new Set(doc?.spec.environments ?? []);
    if (!doc?.spec.environments) for (const ns of namespaces) if (members.get(name)!.has(ns.name) && ns.labels['bulwark.dev/environment']) envs.add(ns.labels['bulwark.dev/environment']);
    return {
      name,
      documented: doc !== undefined,
      namespaces: [...members.get(name)!].sort(),
      environments: [...envs].sort(),
      stores: storeNames.map((s) => ({ name: s, prefixes: ownPrefixes(docs, name, s).map((p) => p || '(all paths)') })),
      quotas: Object.fromEntries(limitsOf(doc?.spec.quotas)),
      grantsGiven: grantsFrom(docs, name).map((g) => line(docs, g)),
      grantsReceived: grantsTo(docs, name).map((g) => line(docs, g)),
      labelAdmins: [...(doc?.spec.labelAdmins?.users ?? []).map((u) => `user ${u}`), ...(doc?.spec.labelAdmins?.groups ?? []).map((g) => `group ${g}`)],
    };
  });
}

function grantText(g: GrantLine, direction: 'to' | 'from'): string {
  const what = g.store === KUBE_STORE && g.path.startsWith('configmap/') ? `ConfigMap ${g.path.slice('configmap/'.length)}` : `${g.store}:${g.path}`;
  const who = direction === 'to' ? `to ${g.to.join(', ')}` : `from ${g.from}`;
  return `${what} ${who}${g.description ? ` (${g.description})` : ''}${g.problem ? `  [IGNORED: ${g.problem}]` : ''}`;
}

/** Formats the report as indented text, one block per tenant. */
export function formatTenantReport(report: TenantReport[]): string {
  if (!report.length) return 'no tenants: add Tenant documents or label namespaces bulwark.dev/tenant=<name>\n';
  const out: string[] = [];
  for (const t of report) {
    out.push(`tenant ${t.name}${t.documented ? '' : ' (no Tenant document: namespace label only)'}`);
    out.push(`  namespaces: ${t.namespaces.join(', ') || '(none)'}`);
    if (t.environments.length) out.push(`  environments: ${t.environments.join(', ')}`);
    out.push('  stores:');
    for (const s of t.stores) out.push(`    ${s.name}: ${s.prefixes.join(', ') || '(not allowed)'}`);
    const quotas = Object.entries(t.quotas);
    out.push(`  quotas: ${quotas.length ? quotas.map(([k, v]) => `${k}=${v}`).join(' ') : '(none)'}`);
    out.push(`  grants given:${t.grantsGiven.length ? '' : ' (none)'}`);
    for (const g of t.grantsGiven) out.push(`    ${grantText(g, 'to')}`);
    out.push(`  grants received:${t.grantsReceived.length ? '' : ' (none)'}`);
    for (const g of t.grantsReceived) out.push(`    ${grantText(g, 'from')}`);
    if (t.labelAdmins.length) out.push(`  label admins: ${t.labelAdmins.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
