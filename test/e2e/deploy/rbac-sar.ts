/**
 * SubjectAccessReview rows for the RBAC tests: one question per row — may `user` do `verb` on
 * `resource` (group/resource), optionally one object by `name`, in `namespace` — asked of the real
 * kube-apiserver with the service account's groups, as the apiserver itself would authorise it.
 */
import { testCluster } from '../harness/env.js';

/** One question and the answer the matrix expects. */
export interface Row {
  user: string;
  verb: string;
  resource: string;
  namespace?: string;
  /** One object: a get/patch of it, or a list/watch with fieldSelector metadata.name=<name>. */
  name?: string;
  want: boolean;
}

/** The service account user of a namespace and name. */
export function serviceAccount(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Asks the apiserver with a SubjectAccessReview (the service account's groups included). */
export async function allowed(row: Row): Promise<boolean> {
  const ns = row.user.split(':')[2]!;
  const [group, resource] = row.resource.includes('/') ? row.resource.split('/') : ['', row.resource];
  const sar = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: row.user,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      resourceAttributes: { verb: row.verb, group, resource, ...(row.namespace ? { namespace: row.namespace } : {}), ...(row.name ? { name: row.name } : {}) },
    },
  };
  const out = await testCluster().kubectl.ok(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(sar) });
  return JSON.parse(out).status.allowed === true;
}

/** The test title of a row, e.g. "guard-app/app may not list secrets in guard-app". */
export function rowTitle(row: Row): string {
  const who = row.user.split(':').slice(2).join('/');
  const what = row.name ? `${row.resource}/${row.name}` : row.resource;
  return `${who} ${row.want ? 'may' : 'may not'} ${row.verb} ${what}${row.namespace ? ` in ${row.namespace}` : ' cluster-wide'}`;
}
