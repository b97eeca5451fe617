/**
 * The secret-hygiene rule: secrets reach containers as files, not env variables (when policy says
 * so), and Secrets carry the type their keys imply.
 */
import { WORKLOAD_KINDS, containersOf, describe, matchesAnyGlob, podSpecOf } from '../objects.js';
import type { RuleDefinition, Violation } from '../types.js';
import { SECRET_HYGIENE_DEFAULTS, SECRET_HYGIENE_PARAMS_SCHEMA, type SecretHygieneParams } from './params.js';

/** The Secret type a set of keys implies, if any. */
export function impliedSecretType(keys: string[]): string | undefined {
  if (keys.includes('tls.crt') && keys.includes('tls.key')) return 'kubernetes.io/tls';
  if (keys.includes('.dockerconfigjson')) return 'kubernetes.io/dockerconfigjson';
  if (keys.includes('.dockercfg')) return 'kubernetes.io/dockercfg';
  return undefined;
}

/** Checks how secrets are delivered and typed. */
export const secretHygieneRule: RuleDefinition<SecretHygieneParams> = {
  id: 'secret-hygiene',
  description: 'Secrets reach containers as files, not env, and Secrets carry the type their keys imply.',
  kinds: ['Secret', ...WORKLOAD_KINDS],
  paramsSchema: SECRET_HYGIENE_PARAMS_SCHEMA,
  defaults: SECRET_HYGIENE_DEFAULTS,
  evaluate(obj, params) {
    const out: Violation[] = [];
    const who = describe(obj);
    const o = obj as Record<string, any>;
    if (obj.kind === 'Secret') {
      const type = String(o.type ?? 'Opaque');
      const keys = [...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})];
      const implied = impliedSecretType(keys);
      if (params.warnTypeMismatch && type === 'Opaque' && implied) {
        out.push({ message: `${who} is Opaque but its keys are those of a ${implied} Secret; set type: ${implied} so tools validate and use it correctly`, path: '/type', severity: 'warn' });
      }
      return out;
    }
    if (!params.forbidEnvSecrets) return out;
    const pod = podSpecOf(obj);
    if (!pod) return out;
    for (const { container, path } of containersOf(pod)) {
      const name = String(container.name ?? '');
      if (matchesAnyGlob(name, params.allowContainers)) continue;
      (Array.isArray(container.env) ? container.env : []).forEach((e: Record<string, any>, i: number) => {
        const ref = e?.valueFrom?.secretKeyRef;
        if (ref) {
          out.push({
            message: `${who} container ${name} reads Secret ${String(ref.name)} key ${String(ref.key)} into env ${String(e.name)}; policy requires secrets as files: mount the Secret as a volume or use bulwark.dev/secret.<file>`,
            path: `${path}/env/${i}/valueFrom/secretKeyRef`,
          });
        }
      });
      (Array.isArray(container.envFrom) ? container.envFrom : []).forEach((e: Record<string, any>, i: number) => {
        if (e?.secretRef) {
          out.push({
            message: `${who} container ${name} loads Secret ${String(e.secretRef.name)} into env with envFrom; policy requires secrets as files: mount the Secret as a volume or use bulwark.dev/secret.<file>`,
            path: `${path}/envFrom/${i}/secretRef`,
          });
        }
      });
    }
    return out;
  },
};
