/**
 * The secret-leaks rule: ConfigMap data, pod env values and annotations must not hold secrets in
 * plain text, and ConfigMap binaryData must not hold PEM private keys. Findings name the key and the
 * detector, never the value.
 */
import type { KubeObject } from '../../../admission/types.js';
import { WORKLOAD_KINDS, containersOf, describe, matchesAnyGlob, podSpecOf, pointerSegment, stringMap } from '../objects.js';
import type { RuleDefinition, Violation } from '../types.js';
import { ANNOTATION_STATUS, PREFIX } from '../../../labels.js';
import { MAX_SCANNED_CHARS, detectEntropy, detectPatterns, linePairs, type DetectorId, type EntropyOptions } from './detectors.js';
import { SECRET_LEAKS_DEFAULTS, SECRET_LEAKS_PARAMS_SCHEMA, type SecretLeaksParams } from './params.js';

/** Annotations that copy the object itself (scanned through the object instead). */
const SKIPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/**
 * A content digest under a checksum annotation: Helm charts' `checksum/config` and `checksum/secret`
 * (the convention from Helm's docs, used by Bitnami and most charts to roll pods when a ConfigMap or
 * Secret changes), and the same pattern under a prefix (`example.com/checksum-secret`). A hash of
 * content is not a secret; only a value that is exactly a hex digest (MD5 to SHA-512) is skipped, so
 * a secret put under such a key is still scanned.
 */
export function isChecksumAnnotation(key: string, value: string): boolean {
  return /(^|\/)checksum([/-]|$)/i.test(key) && /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i.test(value.trim());
}

/**
 * How one of Bulwark's own pod annotations is scanned (they are scanned like any other; the shipped
 * baseline used to allow-list them, which let a URL password under `bulwark.dev/note` or a literal
 * password in a template reach every pod's BULWARK_SPEC):
 * - the injection status (`injected; spec-sha256=<hex>`) is a digest: skipped when it has that form;
 * - `secret.*` and `config.*` hold references (`store:path#key@version`, ConfigMap names): the
 *   pattern detectors run (a URL password or a key pasted in is found), entropy does not (a path
 *   is not a secret, and its key names `password`);
 * - `template.*`: the mustache tags are removed and the literal text is scanned with every detector
 *   (`postgres://app:{{password}}@db` is clean, `postgres://app:hunter2@db` is not).
 * Anything else under the prefix is scanned as it is. Returns undefined to skip the annotation.
 */
export function bulwarkAnnotationView(key: string, value: string): { value: string; entropy: boolean } | undefined {
  if (key === ANNOTATION_STATUS && /^injected; spec-sha256=[0-9a-f]{64}$/.test(value.trim())) return undefined;
  const name = key.slice(PREFIX.length);
  if (name.startsWith('secret.') || name.startsWith('config.')) return { value, entropy: false };
  if (name.startsWith('template.')) return { value: value.replace(/\{\{\{?[^{}]*\}?\}\}/g, ''), entropy: true };
  return { value, entropy: true };
}

/** A cheap pre-check: structured content without any of these words has no secret-looking inner key. */
const SECRET_WORD = /pass|secret|token|key|credential/i;

/** A value to scan: where it is, under which key, and how to describe it in a message. */
interface Candidate {
  key: string;
  value: string;
  path: string;
  where: string;
  /** Structured content whose inner key/value pairs are checked by entropy too. */
  structured: boolean;
  /** Decoded binaryData: only the PEM private-key detector runs on it. */
  binary?: boolean;
  /** Pattern detectors only (a Bulwark reference annotation). */
  noEntropy?: boolean;
}

/** How many base64 characters of one binaryData value are decoded and scanned (1 MiB decoded). */
export const MAX_BINARY_BASE64_CHARS = (MAX_SCANNED_CHARS / 3) * 4;

/** Decodes (the first MiB of) a base64 value as latin1, so that ASCII text inside binary content stays readable. */
function decodeBinary(b64: string): string {
  const head = b64.length > MAX_BINARY_BASE64_CHARS ? b64.slice(0, MAX_BINARY_BASE64_CHARS) : b64;
  return Buffer.from(head, 'base64').toString('latin1');
}

const BINARY_DETECTORS: ReadonlySet<DetectorId> = new Set<DetectorId>(['pem-private-key']);

interface Compiled {
  enabled: Set<DetectorId>;
  allow: RegExp[];
  entropy: EntropyOptions;
}

const cache = new WeakMap<SecretLeaksParams, Compiled>();

function compile(p: SecretLeaksParams): Compiled {
  let c = cache.get(p);
  if (!c) {
    c = {
      enabled: new Set(p.detectors),
      allow: p.allowPatterns.map((s) => new RegExp(s)),
      entropy: { minLength: p.minLength, minEntropy: p.minEntropy, keyPattern: new RegExp(p.secretKeyPattern, 'i') },
    };
    cache.set(p, c);
  }
  return c;
}

const candidateCache = new WeakMap<KubeObject, readonly Candidate[]>();

/** Finds the values an object carries that the rule scans (once per object: several policies run this rule on one request). */
export function candidates(obj: KubeObject): readonly Candidate[] {
  let found = candidateCache.get(obj);
  if (!found) {
    found = findCandidates(obj);
    candidateCache.set(obj, found);
  }
  return found;
}

function findCandidates(obj: KubeObject): Candidate[] {
  const out: Candidate[] = [];
  const annotations = (md: Record<string, any> | undefined, base: string) => {
    for (const [k, v] of Object.entries(stringMap(md?.annotations))) {
      if (SKIPPED_ANNOTATIONS.includes(k) || isChecksumAnnotation(k, v)) continue;
      const own = k.startsWith(PREFIX) ? bulwarkAnnotationView(k, v) : { value: v, entropy: true };
      if (own) out.push({ key: k, value: own.value, path: `${base}/annotations/${pointerSegment(k)}`, where: `annotation ${k}`, structured: false, ...(own.entropy ? {} : { noEntropy: true }) });
    }
  };
  annotations(obj.metadata, '/metadata');
  if (obj.kind === 'ConfigMap') {
    for (const [k, v] of Object.entries(stringMap((obj as Record<string, unknown>).data))) {
      out.push({ key: k, value: v, path: `/data/${pointerSegment(k)}`, where: `data key ${k}`, structured: v.includes('\n') || /[:=]/.test(v) });
    }
    for (const [k, v] of Object.entries(stringMap((obj as Record<string, unknown>).binaryData))) {
      out.push({ key: k, value: decodeBinary(v), path: `/binaryData/${pointerSegment(k)}`, where: `binaryData key ${k}`, structured: false, binary: true });
    }
  }
  const pod = podSpecOf(obj);
  if (pod) {
    if (obj.kind !== 'Pod') annotations(pod.metadata, pod.path.replace(/\/spec$/, '/metadata'));
    for (const { container, path } of containersOf(pod)) {
      const env = Array.isArray(container.env) ? container.env : [];
      env.forEach((e: Record<string, unknown>, i: number) => {
        if (typeof e?.value === 'string' && typeof e.name === 'string') {
          out.push({ key: e.name, value: e.value, path: `${path}/env/${i}/value`, where: `env ${e.name} of container ${String(container.name)}`, structured: false });
        }
      });
    }
  }
  return out;
}

/** Detects plain-text secrets. */
export const secretLeaksRule: RuleDefinition<SecretLeaksParams> = {
  id: 'secret-leaks',
  description: 'ConfigMap data, pod env values and annotations hold no plain-text secrets.',
  kinds: ['ConfigMap', 'Secret', ...WORKLOAD_KINDS],
  paramsSchema: SECRET_LEAKS_PARAMS_SCHEMA,
  defaults: SECRET_LEAKS_DEFAULTS,
  evaluate(obj, params) {
    const c = compile(params);
    const who = describe(obj);
    const out: Violation[] = [];
    for (const cand of candidates(obj)) {
      const value = cand.value.length > MAX_SCANNED_CHARS ? cand.value.slice(0, MAX_SCANNED_CHARS) : cand.value;
      if (matchesAnyGlob(cand.key, params.allowKeys) || c.allow.some((re) => re.test(value))) continue;
      if (cand.binary) {
        for (const detector of detectPatterns(value, c.enabled.has('pem-private-key') ? BINARY_DETECTORS : new Set())) out.push(violation(who, cand, detector));
        continue;
      }
      const found = new Set<string>(detectPatterns(value, c.enabled));
      if (c.enabled.has('high-entropy') && !cand.noEntropy) {
        if (detectEntropy(cand.key, value, c.entropy)) found.add('high-entropy');
        else if (cand.structured && SECRET_WORD.test(value)) {
          for (const [k, v] of linePairs(value)) {
            if (!matchesAnyGlob(k, params.allowKeys) && !c.allow.some((re) => re.test(v)) && detectEntropy(k, v, c.entropy)) {
              found.add(`high-entropy (inner key ${k})`);
              break;
            }
          }
        }
      }
      for (const detector of found) out.push(violation(who, cand, detector));
    }
    return out;
  },
};

/** The finding for one detector on one candidate: names the key and the detector, never the value. */
function violation(who: string, cand: Candidate, detector: string): Violation {
  return {
    message: `${who} ${cand.where} looks like a plain-text secret (${detector}); move it to a Secret or a secret store and reference it (bulwark.dev/secret.<file>), or allow-list the key in the policy`,
    path: cand.path,
    detector: detector.startsWith('high-entropy') ? 'high-entropy' : detector,
  };
}
