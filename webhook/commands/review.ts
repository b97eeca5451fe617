/**
 * `bulwark review`: loads policies and namespace metadata from files, reads manifests and prints each
 * object's decision. Exit 0 when all are allowed, 1 when any is denied, 2 on bad input.
 */
import { errorMessage } from '../errors.js';
import { createInjectionHandler } from '../inject/handler.js';
import { silentLogger } from '../log.js';
import { createValidationHandler } from '../policy/handler.js';
import { toJUnit, toSarif } from '../policy/report/index.js';
import { formatText } from '../review/format-text.js';
import { loadOffline } from '../review/offline.js';
import { reviewObjects } from '../review/review.js';
import type { AdmissionRequest } from '../admission/types.js';
import { evaluate } from '../policy/engine.js';
import { compose } from '../admission/handler.js';
import { createTenancyHandler } from '../tenancy/handler.js';
import { labelAdmins } from '../config/label-admins.js';

/** Runs the review; returns the exit code. */
export async function reviewCommand(inputs: string[], flags: Record<string, string>): Promise<number> {
  try {
    const { options, set, objects, state } = await loadOffline(inputs, flags);
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
