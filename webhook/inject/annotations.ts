/**
 * The catalogue of pod annotations that drive sidecar injection: every key is a constant built from
 * the one prefix, with its default and an example, and one small parser per field that returns a
 * value or a field error naming the annotation. docs/annotations.md documents this table.
 */
import Mustache from 'mustache';
import { parseDuration } from '../config/duration.js';
import { ANNOTATION_STATUS as STATUS_KEY, PREFIX } from '../labels.js';
import { FORMATS, type FileFormat, type ReloadStep } from '../../sidecar/spec/types.js';
import { fieldError, quote, type FieldError } from './field-error.js';

/** The prefix of every Bulwark annotation (re-exported from labels.ts so there is exactly one). */
export const ANNOTATION_PREFIX = PREFIX;

/** "true" opts the pod in, "false" opts it out even when its namespace is labelled bulwark.dev/inject=enabled. */
export const ANNOTATION_INJECT = `${PREFIX}inject`;
/** Written by the injector: "injected; spec-sha256=<hex>". Never set it by hand. */
export const ANNOTATION_STATUS = STATUS_KEY;
/** Per-file prefix: a secret reference `<store>:<path>[#<key>][@<version>]`. */
export const ANNOTATION_SECRET_PREFIX = `${PREFIX}secret.`;
/** Per-file prefix: ConfigMap names or store references, comma-separated, later wins. */
export const ANNOTATION_CONFIG_PREFIX = `${PREFIX}config.`;
/** Per-file prefix: a logic-less (mustache) template over the fetched values. */
export const ANNOTATION_TEMPLATE_PREFIX = `${PREFIX}template.`;
/** Per-file prefix: output format (raw, json, yaml, env, properties). */
export const ANNOTATION_FORMAT_PREFIX = `${PREFIX}format.`;
/** Per-file prefix: octal file permission. */
export const ANNOTATION_MODE_PREFIX = `${PREFIX}mode.`;
/** Per-file prefix: the ConfigSchema the content must satisfy. */
export const ANNOTATION_SCHEMA_PREFIX = `${PREFIX}schema.`;
/** Reload chain: signal:<SIG>[:<process>] | http:<url> | restart | none, comma-separated, in-place first. */
export const ANNOTATION_RELOAD = `${PREFIX}reload`;
/** How often stores are polled (jittered), as a duration. */
export const ANNOTATION_REFRESH = `${PREFIX}refresh`;
/** A loopback URL that must answer 2xx after a reload, else the sidecar rolls back. */
export const ANNOTATION_HEALTH = `${PREFIX}health`;
/** How long the app may take to turn healthy after a reload. */
export const ANNOTATION_HEALTH_TIMEOUT = `${PREFIX}health-timeout`;
/** Where the files appear in the app containers. */
export const ANNOTATION_MOUNT_PATH = `${PREFIX}mount-path`;
/** "true": only the init container is injected (files are written once). */
export const ANNOTATION_INIT_ONLY = `${PREFIX}init-only`;
/** What the sidecar does when a value can't be fetched: keep-last-good or fail. */
export const ANNOTATION_ON_FAILURE = `${PREFIX}on-failure`;
/** Comma-separated names of the app containers (or init containers) that get the mount. */
export const ANNOTATION_CONTAINERS = `${PREFIX}containers`;
/** CPU request of the injected containers, at most the configured CPU limit. */
export const ANNOTATION_CPU_REQUEST = `${PREFIX}cpu-request`;
/** CPU limit of the injected containers, at most the configured CPU limit. */
export const ANNOTATION_CPU_LIMIT = `${PREFIX}cpu-limit`;
/** Memory request of the injected containers, at most the configured memory limit. */
export const ANNOTATION_MEMORY_REQUEST = `${PREFIX}memory-request`;
/** Memory limit of the injected containers, at most the configured memory limit. */
export const ANNOTATION_MEMORY_LIMIT = `${PREFIX}memory-limit`;

/** Default reload chain: do nothing (the app reads files when it wants). */
export const DEFAULT_RELOAD: readonly ReloadStep[] = Object.freeze([{ type: 'none' }]);
/** Default refresh interval. */
export const DEFAULT_REFRESH = '60s';
/** Default refresh interval in milliseconds. */
export const DEFAULT_REFRESH_MS = parseDuration(DEFAULT_REFRESH)!;
/** Default health timeout. */
export const DEFAULT_HEALTH_TIMEOUT = '30s';
/** Default health timeout in milliseconds. */
export const DEFAULT_HEALTH_TIMEOUT_MS = parseDuration(DEFAULT_HEALTH_TIMEOUT)!;
/** Default mount path. */
export const DEFAULT_MOUNT_PATH = '/bulwark';
/** Default file mode (owner read only). */
export const DEFAULT_MODE = 0o400;
/** Default failure behaviour. */
export const DEFAULT_ON_FAILURE = 'keep-last-good';
/** Default format when the file name's extension does not say. */
export const DEFAULT_FORMAT: FileFormat = 'raw';
/** Default debounce of change bursts, in milliseconds (not an annotation; a spec constant). */
export const DEFAULT_DEBOUNCE_MS = 1000;

/** Bounds of refresh and health-timeout, in milliseconds. */
export const REFRESH_MIN_MS = 5_000;
export const REFRESH_MAX_MS = 86_400_000;
export const HEALTH_TIMEOUT_MIN_MS = 1_000;
export const HEALTH_TIMEOUT_MAX_MS = 600_000;
/** Longest file name: every per-file key (template.<file> is the longest) must fit Kubernetes' 63-character name limit. */
export const MAX_FILE_NAME = 54;

/** The per-file annotation kinds, in the order docs list them. */
export const FILE_KINDS = ['secret', 'config', 'template', 'format', 'mode', 'schema'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** One row of the documented catalogue. */
export interface AnnotationDoc {
  key: string;
  default: string;
  example: string;
  doc: string;
}

/** Every annotation, its default and an example; docs/annotations.md follows this table. */
export const ANNOTATIONS: readonly AnnotationDoc[] = [
  { key: ANNOTATION_INJECT, default: 'unset (the namespace label bulwark.dev/inject=enabled decides)', example: '"true"', doc: 'Opt the pod in ("true") or out ("false").' },
  { key: `${ANNOTATION_SECRET_PREFIX}<file>`, default: 'none', example: '"vault:kv/data/team-a/db#password@3"', doc: 'A secret reference <store>:<path>[#<key>][@<version>] rendered into <mount-path>/<file>.' },
  { key: `${ANNOTATION_CONFIG_PREFIX}<file>`, default: 'none', example: '"app-base#app.yaml, app-prod#app.yaml, consul:team-a/app"', doc: 'ConfigMap names ([#key], in the pod namespace) or store references, merged in order, later wins.' },
  { key: `${ANNOTATION_TEMPLATE_PREFIX}<file>`, default: 'none (the values are written as they are)', example: '"postgres://app:{{password}}@db:5432/app"', doc: 'A logic-less mustache template over the fetched values; partials are not allowed.' },
  { key: `${ANNOTATION_FORMAT_PREFIX}<file>`, default: 'from the extension (.json .yaml .yml .env .properties), else raw', example: '"yaml"', doc: `Output format: ${FORMATS.join(' | ')}.` },
  { key: `${ANNOTATION_MODE_PREFIX}<file>`, default: '0400', example: '"0440"', doc: 'Octal file permission, 0000 to 0777.' },
  { key: `${ANNOTATION_SCHEMA_PREFIX}<file>`, default: 'none', example: '"app-config-v2"', doc: 'A ConfigSchema the content must satisfy before it is written.' },
  { key: ANNOTATION_RELOAD, default: 'none', example: '"signal:SIGHUP:nginx, restart"', doc: 'Reload chain, in-place steps first: signal:<SIG>[:<process>], http:<loopback-url>, restart, none.' },
  { key: ANNOTATION_REFRESH, default: DEFAULT_REFRESH, example: '"5m"', doc: 'Polling interval (jittered), 5s to 24h.' },
  { key: ANNOTATION_HEALTH, default: 'none', example: '"http://127.0.0.1:8080/healthz"', doc: 'Loopback URL that must answer 2xx after a reload, else the files are rolled back.' },
  { key: ANNOTATION_HEALTH_TIMEOUT, default: DEFAULT_HEALTH_TIMEOUT, example: '"10s"', doc: 'How long the app may take to turn healthy after a reload, 1s to 10m.' },
  { key: ANNOTATION_MOUNT_PATH, default: DEFAULT_MOUNT_PATH, example: '"/etc/app/secrets"', doc: 'Absolute path of the files in the app containers.' },
  { key: ANNOTATION_INIT_ONLY, default: 'false ("true" for pods owned by a Job)', example: '"true"', doc: 'Inject only bulwark-init: files are written once, never refreshed.' },
  { key: ANNOTATION_ON_FAILURE, default: DEFAULT_ON_FAILURE, example: '"fail"', doc: 'keep-last-good serves the last good content; fail stops the pod from starting without its values.' },
  { key: ANNOTATION_CONTAINERS, default: 'all app containers and init containers', example: '"app, worker"', doc: 'Which containers get the read-only mount.' },
  { key: ANNOTATION_CPU_REQUEST, default: 'the webhook setting --sidecar-cpu-request', example: '"50m"', doc: 'CPU request of bulwark containers, at most the configured CPU limit.' },
  { key: ANNOTATION_CPU_LIMIT, default: 'the webhook setting --sidecar-cpu-limit', example: '"100m"', doc: 'CPU limit of bulwark containers, at most the configured CPU limit.' },
  { key: ANNOTATION_MEMORY_REQUEST, default: 'the webhook setting --sidecar-memory-request', example: '"64Mi"', doc: 'Memory request of bulwark containers, at most the configured memory limit.' },
  { key: ANNOTATION_MEMORY_LIMIT, default: 'the webhook setting --sidecar-memory-limit', example: '"96Mi"', doc: 'Memory limit of bulwark containers, at most the configured memory limit.' },
  { key: ANNOTATION_STATUS, default: 'written by the injector', example: '"injected; spec-sha256=9f2c..."', doc: 'Marks an injected pod; makes injection idempotent.' },
];

/** The pod-level keys parseInjectionConfig understands (per-file keys are matched by prefix). */
export const POD_KEYS: ReadonlySet<string> = new Set([
  ANNOTATION_INJECT, ANNOTATION_STATUS, ANNOTATION_RELOAD, ANNOTATION_REFRESH, ANNOTATION_HEALTH,
  ANNOTATION_HEALTH_TIMEOUT, ANNOTATION_MOUNT_PATH, ANNOTATION_INIT_ONLY, ANNOTATION_ON_FAILURE,
  ANNOTATION_CONTAINERS, ANNOTATION_CPU_REQUEST, ANNOTATION_CPU_LIMIT, ANNOTATION_MEMORY_REQUEST, ANNOTATION_MEMORY_LIMIT,
]);

/** A parser's answer: a value, or a field error naming the annotation. */
export type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: FieldError };

const ok = <T>(value: T): Parsed<T> => ({ value });
const bad = (key: string, message: string): Parsed<never> => ({ error: fieldError('ANNOTATION_INVALID', key, message) });

const FILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CONTAINER_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MOUNT_PATH_RE = /^\/[A-Za-z0-9_./-]*$/;
/** Trees a mount must stay out of entirely (kernel filesystems, the service-account token). */
const RESERVED_MOUNT_TREES = ['/proc', '/sys', '/dev', '/var/run/secrets/kubernetes.io', '/run/secrets/kubernetes.io'];
/** Directories a mount must not replace (mounting below them, e.g. /etc/app/secrets, is fine). */
const RESERVED_MOUNT_DIRS = ['/etc', '/bin', '/sbin', '/lib', '/lib64', '/usr', '/var', '/tmp', '/run', '/home', '/root', '/var/run'];
const SIGNALS = ['HUP', 'USR1', 'USR2', 'INT', 'TERM', 'QUIT', 'WINCH'];
const PROCESS_RE = /^[A-Za-z0-9_.+-]{1,64}$/;

/** Parses "true" or "false". */
export function parseBoolean(key: string, raw: string): Parsed<boolean> {
  const v = raw.trim();
  if (v === 'true') return ok(true);
  if (v === 'false') return ok(false);
  return bad(key, `${quote(raw)} is not a boolean; use "true" or "false"`);
}

/** Checks a file name: a small charset, no separators, no leading dot, no "..", at most MAX_FILE_NAME characters. */
export function parseFileName(key: string, name: string): Parsed<string> {
  if (!FILE_NAME_RE.test(name) || name.includes('..') || name.length > MAX_FILE_NAME) {
    return bad(key, `file name ${quote(name)} is not allowed; use 1-${MAX_FILE_NAME} characters from A-Z a-z 0-9 _ . -, starting with a letter or digit, without ".."`);
  }
  return ok(name);
}

/** Parses an output format. */
export function parseFormat(key: string, raw: string): Parsed<FileFormat> {
  const v = raw.trim() as FileFormat;
  return FORMATS.includes(v) ? ok(v) : bad(key, `${quote(raw)} is not a format; use one of ${FORMATS.join(', ')}`);
}

/** The format implied by a file name's extension, else DEFAULT_FORMAT. */
export function formatFromName(name: string): FileFormat {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  if (ext === 'env') return 'env';
  if (ext === 'properties') return 'properties';
  return DEFAULT_FORMAT;
}

/** Parses an octal file mode such as 0400. */
export function parseMode(key: string, raw: string): Parsed<number> {
  const v = raw.trim();
  if (!/^0?[0-7]{3}$/.test(v)) return bad(key, `${quote(raw)} is not a file mode; use an octal mode such as 0400 or 0440`);
  return ok(parseInt(v, 8));
}

/** Parses a ConfigSchema name (existence is checked against the documents later). */
export function parseSchemaName(key: string, raw: string): Parsed<string> {
  const v = raw.trim();
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) || v.length > 63) return bad(key, `${quote(raw)} is not a ConfigSchema name; use a lowercase name of at most 63 characters`);
  return ok(v);
}

/** Parses a duration within bounds, returning milliseconds. */
export function parseBoundedDuration(key: string, raw: string, minMs: number, maxMs: number, hint: string): Parsed<number> {
  const ms = parseDuration(raw);
  if (ms === undefined) return bad(key, `${quote(raw)} is not a duration; use e.g. 30s, 5m or 1h (${hint})`);
  if (ms < minMs || ms > maxMs) return bad(key, `${quote(raw)} is out of range; use ${hint}`);
  return ok(ms);
}

/** Parses a URL that must be http(s) on a loopback host (the app in the same pod). */
export function parseLoopbackUrl(key: string, raw: string): Parsed<string> {
  const v = raw.trim();
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return bad(key, `${quote(raw)} is not a URL; use http://127.0.0.1:<port>/<path> or http://localhost:<port>/<path>`);
  }
  if (url.username || url.password) {
    // Never echo the URL: its user:password part is a credential.
    return bad(key, 'the URL contains credentials (user:password@) and is not allowed; remove them (the app in this pod is called on localhost without credentials) and rotate the password if it was real');
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !loopback) {
    return bad(key, `${quote(raw)} is not allowed; use an http or https URL on localhost, 127.0.0.1 or [::1] without credentials (the app in this pod)`);
  }
  return ok(v);
}

/** Parses an absolute mount path outside system directories. */
export function parseMountPath(key: string, raw: string): Parsed<string> {
  const v = raw.trim();
  const segments = v.split('/').slice(1);
  const wellFormed = MOUNT_PATH_RE.test(v) && v.length <= 255 && v !== '/' && !segments.some((s) => s === '' || s === '.' || s === '..');
  if (!wellFormed) return bad(key, `${quote(raw)} is not an absolute path; use e.g. /bulwark (A-Z a-z 0-9 _ . - /, no "..", no trailing or doubled "/")`);
  const tree = RESERVED_MOUNT_TREES.find((r) => v === r || v.startsWith(`${r}/`));
  if (tree) return bad(key, `${quote(raw)} is inside ${tree}; choose another path such as /bulwark`);
  if (RESERVED_MOUNT_DIRS.includes(v)) return bad(key, `${quote(raw)} would hide the system directory ${v}; choose a path below it or another one such as /bulwark`);
  return ok(v);
}

/** Parses keep-last-good or fail. */
export function parseOnFailure(key: string, raw: string): Parsed<'keep-last-good' | 'fail'> {
  const v = raw.trim();
  if (v === 'keep-last-good' || v === 'fail') return ok(v);
  return bad(key, `${quote(raw)} is not allowed; use keep-last-good or fail`);
}

/** Parses a comma-separated list of container names. */
export function parseContainerNames(key: string, raw: string): Parsed<string[]> {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const wrong = names.find((n) => !CONTAINER_NAME_RE.test(n) || n.length > 63);
  if (names.length === 0 || wrong !== undefined) {
    return bad(key, `${quote(raw)} is not a list of container names; use comma-separated names such as "app, worker"`);
  }
  return ok([...new Set(names)]);
}

const STEP_START = /,\s*(?=signal:|http:|https:|restart\s*(?:,|$)|none\s*(?:,|$))/;

/** Parses the reload chain: in-place steps first, restart only last, none only alone, at most four steps. */
export function parseReload(key: string, raw: string): Parsed<ReloadStep[]> {
  const parts = raw.trim().split(STEP_START).map((s) => s.trim());
  const allowedText = 'use signal:<SIG>[:<process>], http:<loopback-url>, restart or none, comma-separated, e.g. "signal:SIGHUP:nginx, restart"';
  const steps: ReloadStep[] = [];
  for (const part of parts) {
    if (part === 'restart' || part === 'none') steps.push({ type: part });
    else if (part.startsWith('signal:')) {
      const [, sig = '', proc, ...rest] = part.split(':');
      const name = sig.toUpperCase().replace(/^SIG/, '');
      if (!SIGNALS.includes(name) || rest.length) return bad(key, `${quote(part)} is not a signal step; use signal:<SIG>[:<process>] with SIG one of ${SIGNALS.map((s) => `SIG${s}`).join(', ')}`);
      if (proc !== undefined && !PROCESS_RE.test(proc)) return bad(key, `${quote(part)} names an invalid process; use a process name of 1-64 characters from A-Z a-z 0-9 _ . + -`);
      steps.push(proc === undefined ? { type: 'signal', signal: `SIG${name}` } : { type: 'signal', signal: `SIG${name}`, process: proc });
    } else if (part.startsWith('http:') || part.startsWith('https:')) {
      const target = part.startsWith('http://') || part.startsWith('https://') ? part : part.slice('http:'.length);
      const url = parseLoopbackUrl(key, target);
      if (url.error) return url;
      steps.push({ type: 'http', url: url.value });
    } else return bad(key, `${quote(part)} is not a reload step; ${allowedText}`);
  }
  if (steps.length > 4) return bad(key, `has ${steps.length} steps; use at most 4`);
  if (steps.some((s) => s.type === 'none') && steps.length > 1) return bad(key, `"none" must stand alone; ${allowedText}`);
  const restartAt = steps.findIndex((s) => s.type === 'restart');
  if (restartAt !== -1 && restartAt !== steps.length - 1) return bad(key, '"restart" must be the last step (the fallback after in-place steps)');
  return ok(steps);
}

/** Checks a template: bounded size and no partials (templates never read files). */
export function parseTemplate(key: string, raw: string): Parsed<string> {
  if (raw.length > 65536) return bad(key, 'is longer than 65536 characters; shorten the template');
  let problem = templateProblems.get(raw);
  if (problem === undefined) {
    problem = checkTemplate(raw);
    if (templateProblems.size >= TEMPLATE_CACHE_SIZE) templateProblems.clear();
    templateProblems.set(raw, problem);
  }
  return problem ? bad(key, problem) : ok(raw);
}

/** Pods of one Deployment repeat the same templates; the verdict of a template is remembered (bounded). */
const TEMPLATE_CACHE_SIZE = 256;
const templateProblems = new Map<string, string>();

function checkTemplate(raw: string): string {
  let parsed: unknown[];
  try {
    parsed = new Mustache.Writer().parse(raw) as unknown[]; // a fresh writer: mustache's global cache stays untouched
  } catch (err) {
    return `is not a valid mustache template (${templateErrorSummary(err)}); check that every {{#section}} is closed`;
  }
  if (hasPartial(parsed)) return 'uses a partial ({{> name}}); partials are not allowed, inline the text instead';
  return '';
}

/**
 * Mustache's parse error without template text: "Invalid tags: <text>" and section names can carry
 * whatever the template holds (a template may embed literal values), so only the kind of error, a
 * section name that is a plain identifier, and the position are kept.
 */
function templateErrorSummary(err: unknown): string {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 512);
  const kind = /^(Unclosed tag|Unclosed section|Unopened section|Invalid tags|Unclosed comment)/.exec(first)?.[1] ?? 'parse error';
  const name = /^[^"]*"([A-Za-z0-9_.-]{1,64})"/.exec(first)?.[1];
  const at = / at (\d+)$/.exec(first)?.[1];
  return `${kind}${name && kind !== 'Invalid tags' ? ` "${name}"` : ''}${at ? ` at ${at}` : ''}`;
}

function hasPartial(tokens: unknown[]): boolean {
  for (const t of tokens) {
    if (!Array.isArray(t)) continue;
    if (t[0] === '>') return true;
    if (Array.isArray(t[4]) && hasPartial(t[4] as unknown[])) return true;
  }
  return false;
}
