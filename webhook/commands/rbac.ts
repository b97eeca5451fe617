/**
 * `bulwark rbac`: prints the least-privilege Role and RoleBinding of each workload's sidecar. The
 * spec comes from the same injection code as the webhook (policies and namespace metadata read from
 * files, as in `bulwark review`), or from an already injected pod's own BULWARK_SPEC; the rules come
 * from rbac/sidecar-role.ts. Notes go to stderr. Exit 0, 1 when injection denies a workload, 2 on bad input.
 */
import { stringify } from 'yaml';
import { SPEC_ENV, type SidecarSpec } from '../../sidecar/spec/types.js';
import { validateSpec } from '../../sidecar/spec/schema.js';
import type { KubeObject } from '../admission/types.js';
import { errorMessage } from '../errors.js';
import { contextFromState } from '../inject/context.js';
import { injectPod } from '../inject/inject-pod.js';
import { buildSidecarRbac, restartTargetOf } from '../rbac/sidecar-role.js';
import { carriedSpec, podOfWorkload } from '../rbac/workload-pod.js';
import { loadOffline } from '../review/offline.js';

/** The command's flags. */
export interface RbacFlags {
  policies?: string;
  namespaces?: string;
  namespace?: string;
  serverVersion?: string;
  output?: string;
}

/** Runs the command; returns the exit code. */
export async function rbacCommand(inputs: string[], flags: RbacFlags): Promise<number> {
  const note = (msg: string) => process.stderr.write(`bulwark rbac: ${msg}\n`);
  try {
    const { options, set, objects, state } = await loadOffline(inputs, flags);
    const out: Array<Record<string, unknown>> = [];
    let denied = false;
    for (const { object, source, document } of objects) {
      const wp = podOfWorkload(object as KubeObject, flags.namespace ?? 'default');
      if (!wp) continue;
      const who = `${wp.workload.kind} ${wp.namespace}/${wp.workload.name} (${source} document ${document})`;
      let spec: SidecarSpec;
      let workload = wp.workload;
      const carried = carriedSpec(wp.pod);
      if (carried !== undefined) {
        spec = JSON.parse(carried) as SidecarSpec;
        const problems = validateSpec(spec);
        if (problems.length) throw new Error(`${who}: its ${SPEC_ENV} is not a valid sidecar spec: ${problems.join('; ')}`);
        // An injected pod is restarted through its owner, which the spec records.
        workload = restartTargetOf(spec.pod.owner) ?? wp.workload;
      } else {
        const r = injectPod(wp.pod, contextFromState(state, wp.namespace, options, set));
        for (const w of r.warnings) note(`${who}: warning: ${w}`);
        if (r.result === 'denied' || r.result === 'error') {
          note(`${who}: injection would refuse these pods: ${r.message}`);
          denied = true;
          continue;
        }
        if (r.result !== 'injected') {
          note(`${who}: not injected (${r.result === 'skipped' ? r.reason : r.result}); no sidecar, no Role`);
          continue;
        }
        spec = r.spec;
      }
      const rbac = buildSidecarRbac({ spec, serviceAccount: wp.serviceAccount, workload });
      for (const n of rbac.notes) note(n);
      out.push(...rbac.objects);
    }
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: out }, null, 2)}\n`);
    else process.stdout.write(out.map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n'));
    return denied ? 1 : 0;
  } catch (err) {
    process.stderr.write(`bulwark rbac: ${errorMessage(err)}\n`);
    return 2;
  }
}
