/**
 * Parses the values of secret.<file> and config.<file>: store references `<store>:<path>[#<key>][@<version>]`
 * and bare ConfigMap names `<name>[#<key>]`, which mean the built-in `kubernetes` store.
 */
import type { SourceRef } from '../../sidecar/spec/types.js';
import { fieldError, quote } from './field-error.js';
import type { Parsed } from './annotations.js';
import { checkStorePath } from '../tenancy/path.js';

/** The built-in store: Secrets and ConfigMaps in the pod's own namespace. Always defined, reserved. */
export const KUBERNETES_STORE = 'kubernetes';
/** Most sources one config.<file> may merge. */
export const MAX_SOURCES = 16;

const STORE_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const KEY_RE = /^[A-Za-z0-9_.-]{1,253}$/;
const VERSION_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const OBJECT_NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const KUBE_PATH_RE = /^(secret|configmap)\/(.+)$/;

const REF_HELP = 'use <store>:<path>[#<key>][@<version>], e.g. vault:kv/data/app#password';

function bad(key: string, message: string): Parsed<never> {
  return { error: fieldError('ANNOTATION_INVALID', key, message) };
}

/** Checks a store path: a small ASCII charset, at most 512 characters, no encoded, doubled or look-alike separators, no "." or ".." segments. */
export function checkPath(path: string): string | undefined {
  const r = checkStorePath(path);
  return 'problem' in r ? r.problem : undefined;
}

/** Checks an object name as Kubernetes requires (a DNS subdomain). */
function checkObjectName(name: string): boolean {
  return name.length <= 253 && OBJECT_NAME_RE.test(name);
}

/** Parses `<store>:<path>[#<key>][@<version>]`. */
export function parseStoreRef(key: string, raw: string): Parsed<SourceRef> {
  const v = raw.trim();
  const colon = v.indexOf(':');
  if (colon <= 0) return bad(key, `${quote(v)} has no store; ${REF_HELP}`);
  const store = v.slice(0, colon);
  if (!STORE_RE.test(store) || store.length > 63) return bad(key, `store name ${quote(store)} is not valid; use a lowercase name of at most 63 characters`);
  let rest = v.slice(colon + 1);
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    version = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!VERSION_RE.test(version)) return bad(key, `version ${quote(version)} is not valid; use 1-128 characters from A-Z a-z 0-9 _ . -`);
  }
  let refKey: string | undefined;
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    refKey = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    if (!KEY_RE.test(refKey)) return bad(key, `key ${quote(refKey)} is not valid; use 1-253 characters from A-Z a-z 0-9 _ . -`);
  }
  const pathProblem = checkPath(rest);
  if (pathProblem) return bad(key, `${quote(v)}: ${pathProblem}; ${REF_HELP}`);
  if (store === KUBERNETES_STORE) {
    const m = KUBE_PATH_RE.exec(rest);
    if (!m || !checkObjectName(m[2]!)) {
      return bad(key, `${quote(v)}: paths in the kubernetes store are secret/<name> or configmap/<name> in the pod's namespace`);
    }
  }
  const ref: SourceRef = { store, path: rest };
  if (refKey !== undefined) ref.key = refKey;
  if (version !== undefined) ref.version = version;
  return { value: ref };
}

/** Parses one config entry: a store reference, or `<configmap>[#<key>]` in the pod's namespace. */
export function parseConfigEntry(key: string, raw: string): Parsed<SourceRef> {
  const v = raw.trim();
  if (v.includes(':')) return parseStoreRef(key, v);
  const [name = '', refKey, ...extra] = v.split('#');
  if (!checkObjectName(name) || extra.length) {
    return bad(key, `${quote(v)} is neither a ConfigMap name nor a store reference; use <configmap>[#<key>] or <store>:<path>[#<key>]`);
  }
  if (refKey !== undefined && !KEY_RE.test(refKey)) return bad(key, `key ${quote(refKey)} is not valid; use 1-253 characters from A-Z a-z 0-9 _ . -`);
  const ref: SourceRef = { store: KUBERNETES_STORE, path: `configmap/${name}` };
  if (refKey !== undefined) ref.key = refKey;
  return { value: ref };
}

/** Parses a comma-separated config list, merged in order (later wins); every bad entry is reported. */
export function parseConfigSources(key: string, raw: string): { value: SourceRef[]; errors: ReturnType<typeof fieldError>[] } {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const errors: ReturnType<typeof fieldError>[] = [];
  const value: SourceRef[] = [];
  if (entries.length === 0) errors.push(fieldError('ANNOTATION_INVALID', key, 'is empty; list one or more ConfigMap names or store references, comma-separated'));
  if (entries.length > MAX_SOURCES) errors.push(fieldError('ANNOTATION_INVALID', key, `lists ${entries.length} sources; use at most ${MAX_SOURCES}`));
  for (const e of entries) {
    const p = parseConfigEntry(key, e);
    if (p.error) errors.push(p.error);
    else value.push(p.value);
  }
  return { value, errors };
}
