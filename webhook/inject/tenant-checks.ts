/**
 * The cross-tenant refusals of injection that need more than a prefix test: explaining a path outside
 * the tenant's prefixes (a letter-case trick, a sharing grant overreached, or plainly another
 * tenant's path), and ConfigMaps/Secrets of the pod's namespace that are labelled for another
 * tenant, which a pod may read only under that tenant's grant. Pure: documents and cached summaries in.
 */
import type { ClusterState } from '../cluster/types.js';
import { LABEL_TENANT } from '../labels.js';
import type { DocumentSet } from '../policy/documents.js';
import { grantsFrom, kubeObjectGrant, pathOwner, validGrantsTo } from '../tenancy/grants.js';
import { differsOnlyInCase } from '../tenancy/path.js';
import { fieldError, quote, type FieldError } from './field-error.js';
import type { StoreScope } from './stores.js';

/** Explains why a path outside every allowed prefix is refused, with the most specific code. */
export function outsidePrefixes(docs: DocumentSet, scope: StoreScope, annotation: string, store: string, path: string, prefixes: string[]): FieldError {
  const who = scope.tenant ? `tenant ${scope.tenant}` : `namespace ${scope.namespace}`;
  const casePrefix = prefixes.find((p) => differsOnlyInCase(path, p));
  if (casePrefix !== undefined) {
    return fieldError('TENANT_PATH_FORBIDDEN', annotation, `path ${quote(path)} in store ${store} differs from ${who}'s prefix ${quote(casePrefix)} only in letter case; store paths are case-sensitive, write the prefix exactly`);
  }
  const owner = pathOwner(docs, scope.tenant, store, path);
  if (owner && scope.tenant) {
    const fromOwner = validGrantsTo(docs, scope.tenant, store).filter((g) => g.from === owner);
    if (fromOwner.length) {
      return fieldError(
        'TENANT_GRANT_OVERREACH',
        annotation,
        `path ${quote(path)} in store ${store} belongs to tenant ${owner}, whose grants to tenant ${scope.tenant} cover only ${fromOwner.map((g) => g.path).join(', ')}; read a granted path or ask tenant ${owner} to extend its grant`,
      );
    }
    return fieldError('STORE_FORBIDDEN', annotation, `path ${quote(path)} in store ${store} is outside the prefixes ${who} may read (${prefixes.join(', ')}); it belongs to tenant ${owner}, which grants tenant ${scope.tenant} nothing in this store`);
  }
  return fieldError('STORE_FORBIDDEN', annotation, `path ${quote(path)} in store ${store} is outside the prefixes ${who} may read (${prefixes.join(', ')})`);
}

/** Refuses a kubernetes-store source whose ConfigMap or Secret is labelled for another tenant and not granted to this one. */
export function foreignObject(docs: DocumentSet, objects: Pick<ClusterState, 'object'>, scope: StoreScope, annotation: string, path: string): FieldError | undefined {
  const [kindPath, name = ''] = path.split('/');
  const kind = kindPath === 'secret' ? 'Secret' : 'ConfigMap';
  const owner = objects.object(kind, scope.namespace, name)?.labels[LABEL_TENANT];
  if (!owner || owner === scope.tenant) return undefined;
  if (kubeObjectGrant(docs, owner, scope.tenant, kind, name)) return undefined;
  const who = scope.tenant ? `tenant ${scope.tenant}` : `namespace ${scope.namespace} (no tenant)`;
  const given = scope.tenant ? grantsFrom(docs, owner).filter((g) => g.store === 'kubernetes' && g.to.includes(scope.tenant!)) : [];
  if (given.length) {
    return fieldError('TENANT_GRANT_OVERREACH', annotation, `${kind} ${scope.namespace}/${name} is labelled for tenant ${owner}, whose grants to ${who} cover only ${given.map((g) => g.path).join(', ')}; read a granted ${kind} or ask tenant ${owner} to extend its grant`);
  }
  return fieldError('TENANT_LABEL_FOREIGN', annotation, `${kind} ${scope.namespace}/${name} is labelled bulwark.dev/tenant=${owner}; ${who} may read it only under a grant from tenant ${owner} (spec.grants[].configMaps)`);
}
