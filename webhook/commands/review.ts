/**
 * `bulwark review`: loads policies and namespace metadata from files, reads manifests and prints each
 * object's decision. Exit 0 when all are allowed, 1 when any is denied, 2 on bad input.
 */
import { namespacesFileFor } from '../app/cluster.js';
import { resolveOptions } from '../config/options.js';
import { stateFromObjects } from '../cluster/file-state.js';
import { errorMessage } from '../errors.js';
import { createInjectionHandler } from '../inject/handler.js';
import { silentLogger } from '../log.js';
import { loadDirectory } from '../policy/loader.js';
import { createValidationHandler } from '../policy/handler.js';
import { toJUnit, toSarif } from '../policy/report/index.js';
import { formatText } from '../review/format-text.js';
import { readInputs } from '../review/inputs.js';
import { reviewObjects } from '../review/review.js';
import { parseManifests } from '../util/manifests.js';
import { readFile } from 'node:fs/promises';
import type { AdmissionRequest } from '../admission/types.js';
import { evaluate } from '../policy/engine.js';
import { compose } from '../admission/handler.js';
import { createTenancyHandler } from '../tenancy/handler.js';
import { labelAdmins } from '../config/label-admins.js';

/** Runs the review; returns the exit code. */
export async function reviewCommand(inputs: string[], flags: Record<string, string>): Promise<number> {
  try {
    const m = /^(\d+)\.(\d+)$/.exec(flags.serverVersion ?? '1.33');
    if (!m) throw new Error('--server-version must look like 1.33');
    const options = resolveOptions({ policiesDir: flags.policies, cluster: 'none', ...(flags.namespaces ? { namespacesFile: flags.namespaces } : {}) }, {});
    const { set, errors } = await loadDirectory(options.policiesDir);
    if (errors.length) throw new Error(`invalid policy documents:\n${errors.map((e: { source: string; message: string }) => `  ${e.source}: ${e.message}`).join('\n')}`);
    const objects = await readInputs(inputs);
    const nsFile = namespacesFileFor(options);
    const nsObjects = nsFile ? parseManifests(await readFile(nsFile, 'utf8'), nsFile).map((o) => o.object) : [];
    const state = stateFromObjects([...nsObjects, ...objects.map((o) => o.object)], { major: Number(m[1]), minor: Number(m[2]) });
    const docs = () => set;
    const handlers = {
      mutate: createInjectionHandler({ options, docs, state, logger: silentLogger }),
      validate: compose('validate', [
        createTenancyHandler({ docs, state, ownNamespace: options.ownNamespace, logger: silentLogger, clusterLabelAdmins: labelAdmins(options) }),
        createValidationHandler({ docs, state, ownNamespace: options.ownNamespace, logger: silentLogger, options }),
      ]),
      explain: (request: AdmissionRequest) => evaluate({ request, docs: set, state, ownNamespace: options.ownNamespace }),
    };
    const results = await reviewObjects(objects, handlers, silentLogger, flags.namespace ?? 'default');
    const out =
      flags.output === 'json' ? `${JSON.stringify(results, null, 2)}\n`
      : flags.output === 'sarif' ? `${JSON.stringify(toSarif(results), null, 2)}\n`
      : flags.output === 'junit' ? toJUnit(results)
      : formatText(results);
    process.stdout.write(out);
    return results.some((r) => !r.allowed) ? 1 : 0;
  } catch (err) {
    process.stderr.write(`bulwark review: ${errorMessage(err)}\n`);
    return 2;
  }
}
