/**
 * Works out the tenant and environment of a namespace: the namespace's labels first, then a Tenant
 * document that lists the namespace or selects it by labels.
 */
import type { NamespaceInfo } from '../cluster/types.js';
import { LABEL_ENVIRONMENT, LABEL_TENANT } from '../labels.js';
import type { DocumentSet, LabelSelector, Tenant } from '../policy/documents.js';

/** Reports whether labels satisfy a Kubernetes label selector (an empty selector matches everything). */
export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(val!)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(val!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Returns the Tenant document that owns a namespace, if any. */
export function tenantDocumentFor(docs: DocumentSet, ns: NamespaceInfo): Tenant | undefined {
  const label = ns.labels[LABEL_TENANT];
  if (label && docs.tenants.has(label)) return docs.tenants.get(label);
  for (const t of docs.tenants.values()) {
    if (t.spec.namespaces?.includes(ns.name)) return t;
    if (t.spec.namespaceSelector && matchesSelector(t.spec.namespaceSelector, ns.labels)) return t;
  }
  return undefined;
}

/** The tenant and environment of a namespace; undefined when the namespace has none. */
export function namespaceContext(docs: DocumentSet, ns: NamespaceInfo | undefined): { tenant?: string; environment?: string } {
  if (!ns) return {};
  const out: { tenant?: string; environment?: string } = {};
  const tenant = ns.labels[LABEL_TENANT] ?? tenantDocumentFor(docs, ns)?.metadata.name;
  if (tenant) out.tenant = tenant;
  const env = ns.labels[LABEL_ENVIRONMENT];
  if (env) out.environment = env;
  return out;
}
