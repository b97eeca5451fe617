/**
 * A model of how kube-apiserver picks the webhooks of a ValidatingWebhookConfiguration for one
 * ConfigMap or Secret write: rules, namespaceSelector, then matchConditions. The CEL conditions of
 * deploy/base are modelled by name; `celOf` rebuilds each condition's expected CEL text from the same
 * building blocks, so a test that compares it with the YAML fails when either drifts. The real CEL
 * runs in the e2e tier (test/e2e/outage.test.ts).
 */

/** A label selector as webhook configurations write it. */
export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** One webhook entry, as parsed from YAML. */
export interface WebhookEntry {
  name: string;
  failurePolicy: 'Fail' | 'Ignore';
  timeoutSeconds: number;
  rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
  namespaceSelector?: Selector;
  matchConditions?: { name: string; expression: string }[];
}

/** A ConfigMap or Secret write, reduced to what the configuration looks at. */
export interface Write {
  kind: 'ConfigMap' | 'Secret';
  operation: 'CREATE' | 'UPDATE';
  namespace: string;
  namespaceLabels: Record<string, string>;
  name: string;
  type?: string;
  labels: Record<string, string>;
  /** Labels of the stored object on UPDATE; null on CREATE. */
  oldLabels: Record<string, string> | null;
  user: string;
  groups: string[];
}

/** Exempt identities, as listed in a condition. */
export interface Exempt {
  users: string[];
  groups: string[];
}

const SYSTEM_SECRET_TYPES = ['kubernetes.io/service-account-token', 'helm.sh/release.v1', 'bootstrap.kubernetes.io/token'];

/** Reports whether labels satisfy a selector (an absent selector matches everything). */
export function matchesSelector(sel: Selector | undefined, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const listed = has && (e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'In' ? !listed : e.operator === 'NotIn' ? listed : e.operator === 'Exists' ? !has : has) return false;
  }
  return true;
}

/** The CEL list literal of strings, in the YAML's spelling. */
function celList(items: string[]): string {
  return `[${items.map((s) => `'${s}'`).join(', ')}]`;
}

function exemptCel(x: Exempt): string {
  return `(has(request.userInfo.username) && request.userInfo.username in ${celList(x.users)}) || (has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in ${celList(x.groups)}))`;
}

function labelledCel(o: 'object' | 'oldObject'): string {
  const l = `${o}.metadata.labels`;
  return `${o === 'oldObject' ? 'oldObject != null && ' : ''}has(${l}) && (('bulwark.dev/managed' in ${l} && ${l}['bulwark.dev/managed'] == 'true') || 'bulwark.dev/tenant' in ${l})`;
}

const LABELLED_CEL = `(${labelledCel('object')}) || (${labelledCel('oldObject')})`;

/** Parses the exempt users and groups out of an exempt-identity expression. */
export function parseExempt(expression: string): Exempt {
  const lists = [...expression.matchAll(/in \[([^\]]*)\]/g)].map((m) => [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!));
  if (lists.length !== 2) throw new Error(`expected a user list and a group list in: ${expression}`);
  return { users: lists[0]!, groups: lists[1]! };
}

function isExempt(w: Write, x: Exempt): boolean {
  return x.users.includes(w.user) || w.groups.some((g) => x.groups.includes(g));
}

function labelled(labels: Record<string, string> | null): boolean {
  return labels !== null && (labels['bulwark.dev/managed'] === 'true' || 'bulwark.dev/tenant' in labels);
}

/** Each modelled condition: its expected CEL (given the exempt lists) and its value for a write. */
export const CONDITIONS: Record<string, { cel: (x: Exempt) => string; holds: (w: Write, x: Exempt) => boolean }> = {
  'not-kube-root-ca': {
    cel: () => `request.kind.kind != 'ConfigMap' || !has(object.metadata.name) || object.metadata.name != 'kube-root-ca.crt'`,
    holds: (w) => w.kind !== 'ConfigMap' || w.name !== 'kube-root-ca.crt',
  },
  'not-system-secret-types': {
    cel: () => `request.kind.kind != 'Secret' || !has(object.type) || !(object.type in ${celList(SYSTEM_SECRET_TYPES)})`,
    holds: (w) => w.kind !== 'Secret' || w.type === undefined || !SYSTEM_SECRET_TYPES.includes(w.type),
  },
  'not-exempt-identity': { cel: (x) => `!(${exemptCel(x)})`, holds: (w, x) => !isExempt(w, x) },
  'exempt-identity': { cel: (x) => exemptCel(x), holds: (w, x) => isExempt(w, x) },
  'managed-or-tenant-labelled': { cel: () => LABELLED_CEL, holds: (w) => labelled(w.labels) || labelled(w.oldLabels) },
  'not-managed-or-tenant-labelled': { cel: () => `!(${LABELLED_CEL})`, holds: (w) => !labelled(w.labels) && !labelled(w.oldLabels) },
};

/** Collapses whitespace, as YAML folding does. */
export function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The entries the apiserver would call for a write (throws on a condition the model does not know). */
export function calledFor(entries: WebhookEntry[], w: Write, x: Exempt): WebhookEntry[] {
  const resource = w.kind === 'ConfigMap' ? 'configmaps' : 'secrets';
  return entries.filter((e) => {
    if (!e.rules.some((r) => r.apiGroups.includes('') && r.resources.includes(resource) && r.operations.includes(w.operation))) return false;
    if (!matchesSelector(e.namespaceSelector, { ...w.namespaceLabels, 'kubernetes.io/metadata.name': w.namespace })) return false;
    return (e.matchConditions ?? []).every((c) => {
      const model = CONDITIONS[c.name];
      if (!model) throw new Error(`webhook ${e.name}: matchCondition ${c.name} is not modelled in webhook-match.ts`);
      return model.holds(w, x);
    });
  });
}
