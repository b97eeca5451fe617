/**
 * Offline review: runs manifests through exactly the handlers the server uses, mutate then
 * validate (the validating side sees the mutated object, as in a cluster).
 */
import fastJsonPatch from 'fast-json-patch';
import type { Handler } from '../admission/handler.js';
import type { AdmissionRequest, Decision, KubeObject, PatchOperation } from '../admission/types.js';
import { runHandler } from '../server/admission-endpoint.js';
import type { Logger } from '../log.js';
import type { ManifestObject } from '../util/manifests.js';
import type { Finding } from '../policy/findings.js';

const { applyPatch, deepClone } = fastJsonPatch;

/** The outcome of reviewing one object. */
export interface ReviewResult {
  source: string;
  document: number;
  kind: string;
  namespace: string;
  name: string;
  allowed: boolean;
  /** The denial message, when denied. */
  message?: string;
  /** Which webhook denied: mutate (bad injection annotations) or validate (policy). */
  deniedBy?: 'mutate' | 'validate';
  warnings: string[];
  patch: PatchOperation[];
  /** Every policy finding for the (mutated) object, for SARIF and JUnit reports. */
  findings: Finding[];
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const PLURALS: Record<string, string> = { Pod: 'pods', ConfigMap: 'configmaps', Secret: 'secrets', Namespace: 'namespaces' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Builds the CREATE AdmissionRequest the apiserver would send for an object. A manifest is not checked
 * by an apiserver: fields of the wrong type are left in the object for runHandler's shape check to name.
 */
export function requestFor(obj: KubeObject, uid: string, defaultNamespace: string, user = 'bulwark-review'): AdmissionRequest {
  const { group, version } = splitApiVersion(String(obj.apiVersion ?? 'v1'));
  const kind = String(obj.kind ?? '');
  const clusterScoped = kind === 'Namespace' || kind === 'ClusterSecretStore' || kind === 'Tenant';
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  const own = typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : undefined;
  const namespace = clusterScoped ? undefined : (own ?? defaultNamespace);
  const object = deepClone(obj) as KubeObject;
  if (namespace && isObject(object.metadata) && (object.metadata.namespace === undefined || object.metadata.namespace === null)) object.metadata.namespace = namespace;
  const req: AdmissionRequest = {
    uid,
    kind: { group, version, kind },
    resource: { group, version, resource: PLURALS[kind] ?? `${kind.toLowerCase()}s` },
    operation: 'CREATE',
    userInfo: { username: user },
    object,
    oldObject: null,
    dryRun: true,
  };
  if (typeof metadata.name === 'string' && metadata.name) req.name = metadata.name;
  if (namespace) req.namespace = namespace;
  return req;
}

function warningsOf(d: Decision): string[] {
  return d.warnings ?? [];
}

/** Reviews manifest objects with the given handlers. */
export async function reviewObjects(
  objects: ManifestObject[],
  handlers: { mutate: Handler; validate: Handler; explain?: (req: AdmissionRequest) => Finding[] },
  logger: Logger,
  defaultNamespace = 'default',
): Promise<ReviewResult[]> {
  const results: ReviewResult[] = [];
  let i = 0;
  for (const m of objects) {
    i++;
    const req = requestFor(m.object as KubeObject, `review-${i}`, defaultNamespace);
    const base: Omit<ReviewResult, 'allowed' | 'warnings' | 'patch' | 'findings'> = {
      source: m.source,
      document: m.document,
      kind: req.kind.kind,
      namespace: req.namespace ?? '',
      name: req.name ?? (typeof m.object.metadata?.generateName === 'string' ? m.object.metadata.generateName : ''),
    };
    const mutated = await runHandler(handlers.mutate, req, logger);
    if (!mutated.allowed) {
      results.push({ ...base, allowed: false, message: mutated.message, deniedBy: 'mutate', warnings: warningsOf(mutated), patch: [], findings: [] });
      continue;
    }
    const patch = mutated.patch ?? [];
    const object = patch.length ? (applyPatch(deepClone(req.object), patch as any, true, false).newDocument as KubeObject) : req.object;
    const mutatedReq = { ...req, object };
    const validated = await runHandler(handlers.validate, mutatedReq, logger);
    const warnings = [...warningsOf(mutated), ...warningsOf(validated)];
    const findings = handlers.explain ? handlers.explain(mutatedReq) : [];
    if (!validated.allowed) results.push({ ...base, allowed: false, message: validated.message, deniedBy: 'validate', warnings, patch, findings });
    else results.push({ ...base, allowed: true, warnings, patch, findings });
  }
  return results;
}
