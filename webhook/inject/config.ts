/**
 * Turns a pod's bulwark.dev annotations into a typed injection config, reporting every malformed
 * annotation at once. Pure: no documents, no cluster; those checks happen in validate.ts.
 */
import { unknownAnnotationMessage } from './suggest.js';
import type { FileSpec, ReloadStep, SourceRef } from '../../sidecar/spec/types.js';
import { ANNOTATION_REQUIRES_CONFIG, LABEL_ENVIRONMENT, LABEL_INJECT, LABEL_MANAGED, LABEL_TENANT, LABEL_VERSION } from '../labels.js';
import * as A from './annotations.js';
import { fieldError, type FieldError } from './field-error.js';
import { parseConfigSources, parseStoreRef } from './references.js';
import type { ResourceOverrides } from './resources.js';

/** One file to render, as the annotations describe it: the spec's file before its schema is resolved. */
export interface FileConfig extends Omit<FileSpec, 'schema'> {
  /** The annotation that defines the file's sources (named in messages). */
  sourceKey: string;
}

/** Everything the annotations say, typed, with defaults applied (never written back to the pod). */
export interface InjectionConfig {
  files: FileConfig[];
  reload: ReloadStep[];
  refreshSeconds: number;
  health?: { url: string; timeoutSeconds: number };
  mountPath: string;
  /** Undefined when the annotation is absent (the Job rule may then decide). */
  initOnly?: boolean;
  onFailure: 'keep-last-good' | 'fail';
  /** Undefined means every app container and init container. */
  containers?: string[];
  resources: ResourceOverrides;
}

/** The result of parsing: the config (meaningful only without errors), problems and warnings. */
export interface ParsedConfig {
  config: InjectionConfig;
  errors: FieldError[];
  warnings: string[];
}

/** Most files a pod may ask for (the spec's limit). */
export const MAX_FILES = 64;

/** bulwark.dev keys other parts of Bulwark read on pods; not unknown, not ours. */
const FOREIGN_KEYS = new Set([ANNOTATION_REQUIRES_CONFIG, LABEL_ENVIRONMENT, LABEL_TENANT, LABEL_INJECT, LABEL_MANAGED, LABEL_VERSION]);

/** True for a bulwark.dev key injection does not know: not a pod key, not read elsewhere, not <kind>.<file>. */
export function isUnknownBulwarkKey(key: string): boolean {
  if (!key.startsWith(A.ANNOTATION_PREFIX) || A.POD_KEYS.has(key) || FOREIGN_KEYS.has(key)) return false;
  const rest = key.slice(A.ANNOTATION_PREFIX.length);
  const dot = rest.indexOf('.');
  return dot <= 0 || !A.FILE_KINDS.includes(rest.slice(0, dot) as A.FileKind);
}

type FileParts = Partial<Record<A.FileKind, { key: string; raw: string }>>;

/** Parses every bulwark.dev annotation of a pod; never throws. */
export function parseInjectionConfig(annotations: Record<string, string> | undefined): ParsedConfig {
  const ann = annotations ?? {};
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const files = new Map<string, FileParts>();
  const take = <T>(p: A.Parsed<T>): T | undefined => {
    if (p.error) errors.push(p.error);
    return p.value;
  };

  for (const [key, raw] of Object.entries(ann)) {
    if (!key.startsWith(A.ANNOTATION_PREFIX) || A.POD_KEYS.has(key) || FOREIGN_KEYS.has(key)) continue;
    if (isUnknownBulwarkKey(key)) {
      // a typo drops a file or a setting without a trace: refuse it, with the closest known key
      errors.push(fieldError('ANNOTATION_INVALID', key, unknownAnnotationMessage(key)));
      continue;
    }
    const rest = key.slice(A.ANNOTATION_PREFIX.length);
    const dot = rest.indexOf('.');
    const kind = rest.slice(0, dot) as A.FileKind;
    const name = take(A.parseFileName(key, rest.slice(dot + 1)));
    if (name === undefined) continue;
    const parts = files.get(name) ?? {};
    parts[kind] = { key, raw };
    files.set(name, parts);
  }

  const out: InjectionConfig = {
    files: [],
    reload: [...A.DEFAULT_RELOAD],
    refreshSeconds: A.DEFAULT_REFRESH_MS / 1000,
    mountPath: A.DEFAULT_MOUNT_PATH,
    onFailure: A.DEFAULT_ON_FAILURE,
    resources: {},
  };

  for (const [name, parts] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const file = parseFile(name, parts, errors);
    if (file) out.files.push(file);
  }
  if (out.files.length > MAX_FILES) {
    errors.push(fieldError('ANNOTATION_INVALID', 'metadata.annotations', `the pod asks for ${out.files.length} files; use at most ${MAX_FILES}`));
  }

  const get = (key: string): string | undefined => ann[key];
  const reload = get(A.ANNOTATION_RELOAD);
  if (reload !== undefined) out.reload = take(A.parseReload(A.ANNOTATION_RELOAD, reload)) ?? out.reload;
  const refresh = get(A.ANNOTATION_REFRESH);
  if (refresh !== undefined) {
    const ms = take(A.parseBoundedDuration(A.ANNOTATION_REFRESH, refresh, A.REFRESH_MIN_MS, A.REFRESH_MAX_MS, 'between 5s and 24h'));
    if (ms !== undefined) out.refreshSeconds = ms / 1000;
  }
  const health = get(A.ANNOTATION_HEALTH);
  const healthTimeout = get(A.ANNOTATION_HEALTH_TIMEOUT);
  const timeoutMs =
    healthTimeout === undefined
      ? A.DEFAULT_HEALTH_TIMEOUT_MS
      : take(A.parseBoundedDuration(A.ANNOTATION_HEALTH_TIMEOUT, healthTimeout, A.HEALTH_TIMEOUT_MIN_MS, A.HEALTH_TIMEOUT_MAX_MS, 'between 1s and 10m'));
  if (health !== undefined) {
    const url = take(A.parseLoopbackUrl(A.ANNOTATION_HEALTH, health));
    if (url !== undefined && timeoutMs !== undefined) out.health = { url, timeoutSeconds: timeoutMs / 1000 };
  } else if (healthTimeout !== undefined) {
    warnings.push(`${A.ANNOTATION_HEALTH_TIMEOUT} has no effect without ${A.ANNOTATION_HEALTH}`);
  }
  const mountPath = get(A.ANNOTATION_MOUNT_PATH);
  if (mountPath !== undefined) out.mountPath = take(A.parseMountPath(A.ANNOTATION_MOUNT_PATH, mountPath)) ?? out.mountPath;
  const initOnly = get(A.ANNOTATION_INIT_ONLY);
  if (initOnly !== undefined) {
    const v = take(A.parseBoolean(A.ANNOTATION_INIT_ONLY, initOnly));
    if (v !== undefined) out.initOnly = v;
  }
  const onFailure = get(A.ANNOTATION_ON_FAILURE);
  if (onFailure !== undefined) out.onFailure = take(A.parseOnFailure(A.ANNOTATION_ON_FAILURE, onFailure)) ?? out.onFailure;
  const containers = get(A.ANNOTATION_CONTAINERS);
  if (containers !== undefined) {
    const v = take(A.parseContainerNames(A.ANNOTATION_CONTAINERS, containers));
    if (v !== undefined) out.containers = v;
  }
  const res: Array<[keyof ResourceOverrides, string]> = [
    ['cpuRequest', A.ANNOTATION_CPU_REQUEST],
    ['cpuLimit', A.ANNOTATION_CPU_LIMIT],
    ['memoryRequest', A.ANNOTATION_MEMORY_REQUEST],
    ['memoryLimit', A.ANNOTATION_MEMORY_LIMIT],
  ];
  for (const [field, key] of res) if (ann[key] !== undefined) out.resources[field] = ann[key];

  if (out.files.length === 0 && !errors.some((e) => e.field.startsWith(A.ANNOTATION_SECRET_PREFIX) || e.field.startsWith(A.ANNOTATION_CONFIG_PREFIX))) {
    warnings.push(`the pod opts into injection but names no files; add ${A.ANNOTATION_SECRET_PREFIX}<file> or ${A.ANNOTATION_CONFIG_PREFIX}<file>`);
  }
  return { config: out, errors, warnings };
}

function parseFile(name: string, parts: FileParts, errors: FieldError[]): FileConfig | undefined {
  const { secret, config } = parts;
  if (secret && config) {
    errors.push(fieldError('ANNOTATION_INVALID', config.key, `file ${name} is already defined by ${secret.key}; a file is either a secret or a config, rename one of them`));
    return undefined;
  }
  const source = secret ?? config;
  if (!source) {
    for (const k of ['template', 'format', 'mode', 'schema'] as const) {
      const p = parts[k];
      if (p) errors.push(fieldError('ANNOTATION_INVALID', p.key, `there is no ${A.ANNOTATION_SECRET_PREFIX}${name} or ${A.ANNOTATION_CONFIG_PREFIX}${name} for this file; add one or remove this annotation`));
    }
    return undefined;
  }
  const before = errors.length;
  let sources: SourceRef[] = [];
  if (secret) {
    const p = parseStoreRef(secret.key, secret.raw);
    if (p.error) errors.push(p.error);
    else sources = [p.value];
  } else {
    const p = parseConfigSources(config!.key, config!.raw);
    errors.push(...p.errors);
    sources = p.value;
  }
  const file: FileConfig = {
    name,
    kind: secret ? 'secret' : 'config',
    sources,
    format: A.formatFromName(name),
    mode: A.DEFAULT_MODE,
    sourceKey: source.key,
  };
  const pick = <T>(p: A.Parsed<T>): T | undefined => {
    if (p.error) errors.push(p.error);
    return p.value;
  };
  if (parts.format) file.format = pick(A.parseFormat(parts.format.key, parts.format.raw)) ?? file.format;
  if (parts.mode) file.mode = pick(A.parseMode(parts.mode.key, parts.mode.raw)) ?? file.mode;
  if (parts.schema) {
    const v = pick(A.parseSchemaName(parts.schema.key, parts.schema.raw));
    if (v !== undefined) file.schemaName = v;
  }
  if (parts.template) {
    const v = pick(A.parseTemplate(parts.template.key, parts.template.raw));
    if (v !== undefined) file.template = v;
  }
  return errors.length === before ? file : undefined;
}
