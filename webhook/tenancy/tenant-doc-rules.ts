/**
 * Tenant document admission: a Tenant may only share what it owns (every granted path inside its
 * own prefixes in that store, no grant to itself, clean paths) and may not list a namespace that
 * another Tenant already lists. Checked against the documents in force with the new Tenant in place.
 */
import type { DocumentSet, Tenant } from '../policy/documents.js';
import { grantProblem, grantsFrom } from './grants.js';
import { violation, type TenancyViolation } from './violation.js';

/** Returns the document set with one Tenant added or replaced (the set in force is not changed). */
export function withTenant(docs: DocumentSet, tenant: Tenant): DocumentSet {
  const tenants = new Map(docs.tenants);
  tenants.set(tenant.metadata.name, tenant);
  return { ...docs, tenants };
}

/** Checks a Tenant being created or updated; returns every violation. */
export function checkTenantDocument(docs: DocumentSet, tenant: Tenant): TenancyViolation[] {
  const name = tenant.metadata?.name;
  if (!name || typeof tenant.spec !== 'object' || tenant.spec === null) return []; // schema validation reports it
  const set = withTenant(docs, tenant);
  const out: TenancyViolation[] = [];
  for (const g of grantsFrom(set, name)) {
    const problem = grantProblem(set, g);
    if (problem) out.push(violation('TENANT_GRANT_OVERREACH', name, problem));
  }
  for (const ns of tenant.spec.namespaces ?? []) {
    for (const [other, doc] of docs.tenants) {
      if (other !== name && doc.spec.namespaces?.includes(ns)) {
        out.push(violation('TENANT_RELABEL_FORBIDDEN', name, `Tenant ${name} lists namespace ${ns}, which Tenant ${other} already lists; a namespace belongs to one tenant, remove it from one of them`));
      }
    }
  }
  return out;
}
