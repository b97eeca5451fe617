/**
 * `bulwark tenants`: loads the policy documents and namespace metadata from files and prints every
 * tenant with its namespaces, stores and prefixes, quotas, and the grants it gives and receives.
 * Exit 0, or 2 on bad input.
 */
import { readFile } from 'node:fs/promises';
import { namespacesFileFor } from '../app/cluster.js';
import { stateFromObjects } from '../cluster/file-state.js';
import { resolveOptions } from '../config/options.js';
import { errorMessage } from '../errors.js';
import { loadDirectory } from '../policy/loader.js';
import { buildTenantReport, formatTenantReport } from '../tenancy/report.js';
import { parseManifests } from '../util/manifests.js';

/** Runs the command; returns the exit code. */
export async function tenantsCommand(flags: { policies?: string; namespaces?: string; output?: string }): Promise<number> {
  try {
    const options = resolveOptions({ policiesDir: flags.policies, cluster: 'none', ...(flags.namespaces ? { namespacesFile: flags.namespaces } : {}) }, {});
    const { set, errors } = await loadDirectory(options.policiesDir);
    if (errors.length) throw new Error(`invalid policy documents:\n${errors.map((e: { source: string; message: string }) => `  ${e.source}: ${e.message}`).join('\n')}`);
    const nsFile = namespacesFileFor(options);
    const nsObjects = nsFile ? parseManifests(await readFile(nsFile, 'utf8'), nsFile).map((o) => o.object) : [];
    const report = buildTenantReport(set, stateFromObjects(nsObjects).namespaces());
    process.stdout.write(flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatTenantReport(report));
    return 0;
  } catch (err) {
    process.stderr.write(`bulwark tenants: ${errorMessage(err)}\n`);
    return 2;
  }
}
