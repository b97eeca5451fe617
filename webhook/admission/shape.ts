/**
 * The shapes of the parts of an admission request the stages read, and one linear check of a value
 * against a shape that returns problems as data ("spec.containers must be a list, not an object").
 * The shapes follow Kubernetes' own typing and length limits, so a review sent by the apiserver
 * always passes; only fields Bulwark reads are described. As Kubernetes decodes JSON, a null optional
 * field counts as absent.
 */
import { quote } from '../util/quote.js';

/** What a value must be. `required`: present and not null; lists and maps say what their items must be. */
export type Shape = { required?: boolean } & (
  | { type: 'string'; max?: number }
  | { type: 'boolean' }
  | { type: 'object'; fields?: Readonly<Record<string, Shape>> }
  | { type: 'list'; items: Shape }
  | { type: 'map'; values: Shape; maxKey?: number }
);

/** One field that does not have its shape: where (`spec.containers[0].env`) and what is wrong. */
export interface ShapeProblem {
  path: string;
  message: string;
}

/** The most problems one check reports; the walk stops there, so a body full of bad values costs no more. */
export const MAX_SHAPE_PROBLEMS = 10;

const WANT: Record<Shape['type'], string> = { string: 'a string', boolean: 'a boolean', object: 'an object', list: 'a list', map: 'an object' };

/** Names a JSON value's type for a message: null, a list, an object, a string, a number, a boolean. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fits(v: unknown, type: Shape['type']): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v);
    default:
      return isObject(v);
  }
}

/** What to write instead of a number, boolean or null where a string belongs (an unquoted YAML value). */
function quoteHint(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return ` (quote the value: "${String(v)}")`;
  return v === null ? ' (give it a quoted value or remove it)' : '';
}

function keyPath(path: string, key: string): string {
  return `${path}[${quote(key, 64)}]`;
}

/** Checks a value against a shape; returns at most `limit` problems, each naming the field path from `path`. */
export function checkShape(value: unknown, shape: Shape, path: string, limit = MAX_SHAPE_PROBLEMS): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  const add = (at: string, message: string) => problems.push({ path: at, message: `${at} ${message}` });

  const walk = (v: unknown, s: Shape, at: string, inList: boolean): void => {
    if (problems.length >= limit) return;
    if (v === undefined || (v === null && !inList)) {
      if (s.required) add(at, `is required: it must be ${WANT[s.type]}`);
      return;
    }
    if (!fits(v, s.type)) {
      add(at, `must be ${WANT[s.type]}, not ${typeName(v)}${s.type === 'string' ? quoteHint(v) : ''}`);
      return;
    }
    if (s.type === 'string') {
      if (s.max !== undefined && (v as string).length > s.max) add(at, `must be at most ${s.max} characters, not ${(v as string).length}`);
    } else if (s.type === 'object') {
      if (!s.fields) return;
      const o = v as Record<string, unknown>;
      for (const key of Object.keys(s.fields)) walk(Object.hasOwn(o, key) ? o[key] : undefined, s.fields[key]!, at ? `${at}.${key}` : key, false);
    } else if (s.type === 'list') {
      const list = v as unknown[];
      for (let i = 0; i < list.length && problems.length < limit; i++) walk(list[i], s.items, `${at}[${i}]`, true);
    } else if (s.type === 'map') {
      const o = v as Record<string, unknown>;
      for (const key in o) {
        if (problems.length >= limit) return;
        if (!Object.hasOwn(o, key)) continue;
        if (s.maxKey !== undefined && key.length > s.maxKey) {
          add(`${at}[${quote(key, 32)}]`, `has a key of ${key.length} characters; keys must be at most ${s.maxKey}`);
          continue;
        }
        walk(o[key], s.values, keyPath(at, key), true);
      }
    }
  };
  walk(value, shape, path, false);
  return problems;
}

// Kubernetes' limits: a namespace (and a container or volume name) is a DNS label, most names are DNS
// subdomains, a label or annotation key is an optional DNS-subdomain prefix, "/" and a 63-character
// name, a label value has at most 63 characters.
/** Longest namespace: a DNS label. */
export const MAX_NAMESPACE_LENGTH = 63;
/** Longest object name: a DNS subdomain. */
export const MAX_NAME_LENGTH = 253;
/** Longest label or annotation key: a 253-character prefix, "/" and a 63-character name. */
export const MAX_KEY_LENGTH = 253 + 1 + 63;
const LABEL_VALUE = 63;
const DNS_LABEL = 63;

const str = (max?: number): Shape => (max === undefined ? { type: 'string' } : { type: 'string', max });
const bool: Shape = { type: 'boolean' };
const obj = (fields?: Record<string, Shape>): Shape => (fields ? { type: 'object', fields } : { type: 'object' });
const list = (items: Shape, required = false): Shape => (required ? { type: 'list', items, required } : { type: 'list', items });
const map = (values: Shape, maxKey?: number): Shape => (maxKey === undefined ? { type: 'map', values } : { type: 'map', values, maxKey });

/** The shape of request.userInfo: who asks, read by the tenancy rules. */
export const USER_INFO_SHAPE: Shape = obj({ username: str(), uid: str(), groups: list(str()), extra: map(list(str())) });

/** The request fields decodeReview does not check itself. */
export const REQUEST_SHAPE: Shape = obj({ name: str(MAX_NAME_LENGTH), namespace: str(MAX_NAMESPACE_LENGTH), userInfo: USER_INFO_SHAPE });

/** The metadata of every object. */
export const METADATA_SHAPE: Shape = obj({
  name: str(MAX_NAME_LENGTH),
  generateName: str(MAX_NAME_LENGTH),
  namespace: str(MAX_NAMESPACE_LENGTH),
  labels: map(str(LABEL_VALUE), MAX_KEY_LENGTH),
  annotations: map(str(), MAX_KEY_LENGTH),
  ownerReferences: list(obj({ apiVersion: str(), kind: str(), name: str(MAX_NAME_LENGTH), uid: str(), controller: bool })),
});

const keyRef = obj({ name: str(MAX_NAME_LENGTH), key: str(), optional: bool });
const items = list(obj({ key: str(), path: str() }));
const CONTAINER: Shape = obj({
  name: str(DNS_LABEL),
  image: str(),
  command: list(str()),
  args: list(str()),
  env: list(obj({ name: str(), value: str(), valueFrom: obj({ configMapKeyRef: keyRef, secretKeyRef: keyRef }) })),
  envFrom: list(obj({ prefix: str(), configMapRef: keyRef, secretRef: keyRef })),
  volumeMounts: list(obj({ name: str(DNS_LABEL), mountPath: str(), readOnly: bool })),
  securityContext: obj(),
});

/** The pod spec fields injection, tenancy and the policy rules read; Kubernetes requires containers. */
export const POD_SPEC_SHAPE: Shape = obj({
    containers: list(CONTAINER, true),
    initContainers: list(CONTAINER),
    ephemeralContainers: list(CONTAINER),
    volumes: list(
      obj({
        name: str(DNS_LABEL),
        configMap: obj({ name: str(MAX_NAME_LENGTH), items, optional: bool }),
        secret: obj({ secretName: str(MAX_NAME_LENGTH), items, optional: bool }),
        projected: obj({ sources: list(obj({ configMap: obj({ name: str(MAX_NAME_LENGTH), items }), secret: obj({ name: str(MAX_NAME_LENGTH), items }) })) }),
      }),
    ),
    securityContext: obj(),
    os: obj({ name: str() }),
    hostNetwork: bool,
    shareProcessNamespace: bool,
    serviceAccountName: str(MAX_NAME_LENGTH),
    serviceAccount: str(MAX_NAME_LENGTH),
    automountServiceAccountToken: bool,
});

const TEMPLATE = obj({ metadata: METADATA_SHAPE, spec: POD_SPEC_SHAPE });
const OBJECT = (spec?: Shape, extra: Record<string, Shape> = {}): Shape => obj({ apiVersion: str(), kind: str(), metadata: METADATA_SHAPE, ...(spec ? { spec } : {}), ...extra });
const WORKLOAD = OBJECT(obj({ template: TEMPLATE }));

/** The shape of an object by its group and kind: pods and pod templates, ConfigMaps and Secrets, metadata for the rest. */
const OBJECT_SHAPES: ReadonlyMap<string, Shape> = new Map([
  ['/Pod', OBJECT(POD_SPEC_SHAPE)],
  ['/ReplicationController', WORKLOAD],
  ['apps/Deployment', WORKLOAD],
  ['apps/StatefulSet', WORKLOAD],
  ['apps/DaemonSet', WORKLOAD],
  ['apps/ReplicaSet', WORKLOAD],
  ['batch/Job', WORKLOAD],
  ['batch/CronJob', OBJECT(obj({ jobTemplate: obj({ spec: obj({ template: TEMPLATE }) }) }))],
  ['/ConfigMap', OBJECT(undefined, { data: map(str(), MAX_NAME_LENGTH), binaryData: map(str(), MAX_NAME_LENGTH), immutable: bool })],
  ['/Secret', OBJECT(undefined, { data: map(str(), MAX_NAME_LENGTH), stringData: map(str(), MAX_NAME_LENGTH), type: str(), immutable: bool })],
]);
const ANY_OBJECT = OBJECT();

/** The shape an object of this group and kind must have. */
export function objectShape(group: string, kind: string): Shape {
  return OBJECT_SHAPES.get(`${group}/${kind}`) ?? ANY_OBJECT;
}
