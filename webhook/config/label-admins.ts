/**
 * The cluster-wide label admins from the settings: who may move any namespace between tenants or
 * environments (a Tenant document can name more admins for its own namespaces).
 */
import type { LabelAdmins } from '../tenancy/tenants.js';
import { listSetting, type ServerOptions } from './options.js';

/** Builds the cluster label admins from --label-admin-groups and --label-admin-users. */
export function labelAdmins(options: Pick<ServerOptions, 'labelAdminGroups' | 'labelAdminUsers'>): LabelAdmins {
  return { groups: listSetting(options.labelAdminGroups), users: listSetting(options.labelAdminUsers) };
}
