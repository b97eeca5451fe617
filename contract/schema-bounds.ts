/**
 * The bounds a user-supplied JSON Schema must stay within before anything compiles it: a ConfigSchema's
 * spec.schema in the webhook (admission, the policy directory, watched resources) and the schema a
 * sidecar file carries. Compiling with ajv costs time superlinear in branches and properties (a schema
 * of 1,200 anyOf branches took 10 s) and recursion proportional to nesting and $ref chains (a 190 KB
 * chain overflowed the stack), so both sides refuse, with the same problems, what is over these limits.
 * Pure and iterative (a schema nested thousands deep cannot overflow the stack here); imports nothing
 * of webhook/ or sidecar/.
 */
import { regexProblem } from './safe-regex.js';

/** Largest schema, in bytes of its JSON serialisation (real-world config schemas: 10–60 KB). */
export const MAX_SCHEMA_BYTES = 256 * 1024;
/** Most JSON values (objects, arrays, strings, numbers...) in a schema (real-world: 400–1,500). */
export const MAX_SCHEMA_VALUES = 5_000;
/** Deepest JSON nesting of a schema (real-world: at most 15). */
export const MAX_SCHEMA_JSON_DEPTH = 64;
/**
 * Longest chain of subschemas inside subschemas, each $ref followed counting as one more level: ajv
 * recurses along it (a chain of about 236 $refs overflows the main thread's stack; real-world: up to 36).
 */
export const MAX_SCHEMA_NESTING = 64;
/** Most anyOf, oneOf and allOf branches, all lists together (real-world: 20–90). */
export const MAX_SCHEMA_BRANCHES = 256;
/** Most $ref keywords (real-world: up to about 230). */
export const MAX_SCHEMA_REFS = 512;
/** Most regular expressions (`pattern` values and `patternProperties` keys; real-world: up to about 50). */
export const MAX_SCHEMA_PATTERNS = 256;
/** At most this many problems of one kind are listed (unsafe patterns, foreign $refs, unknown formats). */
export const MAX_LISTED_PROBLEMS = 5;

/** The formats ajv-formats knows (full mode); a test keeps this list equal to the package's. */
export const KNOWN_FORMATS: readonly string[] = [
  'date', 'time', 'date-time', 'iso-time', 'iso-date-time', 'duration', 'uri', 'uri-reference', 'uri-template', 'url',
  'email', 'hostname', 'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'json-pointer-uri-fragment',
  'relative-json-pointer', 'byte', 'int32', 'int64', 'float', 'double', 'password', 'binary',
];

/** Which bound a problem is about. */
export type SchemaBound = 'bytes' | 'values' | 'depth' | 'nesting' | 'branches' | 'refs' | 'ref' | 'patterns' | 'pattern' | 'format';

/** One way a schema is over the bounds: which bound, where (a JSON Pointer into the schema, "" for all of it), what to change. */
export interface SchemaProblem {
  kind: SchemaBound;
  path: string;
  message: string;
}

/** What the bounds check measured (for cache weights and benchmarks); counts stop early once a limit is passed. */
export interface SchemaStats {
  bytes: number;
  values: number;
  depth: number;
  nesting: number;
  branches: number;
  refs: number;
  patterns: number;
}

/** The problems of a schema (none when it may be compiled) and what was measured. */
export interface SchemaBoundsResult {
  problems: SchemaProblem[];
  stats: SchemaStats;
}

/** Keywords whose value is one subschema. */
const ONE_SCHEMA = ['not', 'if', 'then', 'else', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties'];
/** Keywords whose value is a list of subschemas. */
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** The lists counted as branches. */
const BRANCH_LISTS = ['allOf', 'anyOf', 'oneOf'];
/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'];

const SPLIT = 'split it into one ConfigSchema per data key (bulwark.dev/schema: key=schema,...)';

/** Escapes one JSON Pointer segment. */
function segment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Quotes user text for a message, shortened. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a schema against every bound; returns the problems (empty when the schema may be compiled)
 * with a JSON Pointer and what to change, and what was measured.
 */
export function schemaBounds(schema: unknown): SchemaBoundsResult {
  const stats: SchemaStats = { bytes: 0, values: 0, depth: 0, nesting: 0, branches: 0, refs: 0, patterns: 0 };
  const problems = shapeProblems(schema, stats);
  if (problems.some((p) => p.kind === 'depth' || p.kind === 'values')) return { problems, stats };
  problems.push(...keywordProblems(schema, stats));
  return { problems, stats };
}

/** Walks every JSON value once (iteratively): size, count and depth. */
function shapeProblems(schema: unknown, stats: SchemaStats): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: schema, depth: 0, path: '' }];
  while (stack.length) {
    const { value, depth, path } = stack.pop()!;
    if (++stats.values > MAX_SCHEMA_VALUES) {
      problems.push({ kind: 'values', path: '', message: `holds more than ${MAX_SCHEMA_VALUES} JSON values (keywords, properties, enum entries...); ${SPLIT}, or move repeated parts into $defs and refer to them with $ref` });
      break;
    }
    stats.depth = Math.max(stats.depth, depth);
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_SCHEMA_JSON_DEPTH) {
      problems.push({ kind: 'depth', path, message: `nests deeper than ${MAX_SCHEMA_JSON_DEPTH} JSON levels; flatten it: move nested parts into $defs and refer to them with $ref` });
      break;
    }
    for (const [k, v] of Object.entries(value)) stack.push({ value: v, depth: depth + 1, path: `${path}/${segment(k)}` });
  }
  if (problems.length) return problems;
  // The depth is bounded now, so serialising cannot overflow the stack.
  stats.bytes = Buffer.byteLength(JSON.stringify(schema) ?? '');
  if (stats.bytes > MAX_SCHEMA_BYTES) {
    problems.push({ kind: 'bytes', path: '', message: `is ${stats.bytes} bytes as JSON, more than the ${MAX_SCHEMA_BYTES} Bulwark compiles; shorten descriptions and examples, or ${SPLIT}` });
  }
  return problems;
}

/** One subschema on the depth-first walk: its children still to visit and the longest chain below it so far. */
interface Frame {
  node: Record<string, unknown>;
  path: string;
  /** The nearest subschema with an $id (or the root), and its path: what "#/..." refers to inside this one. */
  scope: { node: Record<string, unknown>; path: string };
  children: Array<{ value: Record<string, unknown>; path: string }>;
  next: number;
  below: number;
  /** The child the longest chain goes through. */
  via?: { value: Record<string, unknown>; path: string };
}

/**
 * Walks the subschemas depth-first (iteratively, each once), following local $refs as edges, and
 * checks the keyword bounds: nesting through $refs (the longest chain, back edges of recursive schemas
 * left out), branches, $refs (count, local only), patterns (count, safety) and formats.
 */
function keywordProblems(schema: unknown, stats: SchemaStats): SchemaProblem[] {
  const listed: SchemaProblem[] = [];
  const list = (p: SchemaProblem) => {
    if (listed.filter((q) => q.kind === p.kind).length < MAX_LISTED_PROBLEMS) listed.push(p);
  };
  const checkPattern = (src: string, at: string) => {
    stats.patterns++;
    const problem = regexProblem(src);
    if (problem) list({ kind: 'pattern', path: at, message: problem });
  };
  let widest = { count: 0, path: '' };
  const height = new Map<object, number>();
  const via = new Map<object, Frame['via']>();
  const onPath = new Set<object>();

  const enter = (node: Record<string, unknown>, path: string, outer: Frame['scope']): Frame => {
    const scope = typeof node.$id === 'string' ? { node, path } : outer;
    const children: Frame['children'] = [];
    const child = (value: unknown, at: string) => {
      if (isObject(value)) children.push({ value, path: at });
    };
    for (const kw of ONE_SCHEMA) child(node[kw], `${path}/${kw}`);
    if (Array.isArray(node.items)) node.items.forEach((s, i) => child(s, `${path}/items/${i}`));
    else child(node.items, `${path}/items`);
    for (const kw of SCHEMA_LISTS) {
      const items = node[kw];
      if (!Array.isArray(items)) continue;
      items.forEach((s, i) => child(s, `${path}/${kw}/${i}`));
      if (!BRANCH_LISTS.includes(kw)) continue;
      stats.branches += items.length;
      if (items.length > widest.count) widest = { count: items.length, path: `${path}/${kw}` };
    }
    for (const kw of SCHEMA_MAPS) {
      const map = node[kw];
      if (!isObject(map)) continue;
      for (const [name, s] of Object.entries(map)) {
        const at = `${path}/${kw}/${segment(name)}`;
        child(s, at);
        if (kw === 'patternProperties') checkPattern(name, at);
      }
    }
    if (typeof node.pattern === 'string') checkPattern(node.pattern, `${path}/pattern`);
    if (typeof node.format === 'string' && !KNOWN_FORMATS.includes(node.format)) {
      list({ kind: 'format', path: `${path}/format`, message: `is ${quoted(node.format)}, a format Bulwark does not know; remove it, use a pattern, or use one of ${KNOWN_FORMATS.join(', ')}` });
    }
    if (typeof node.$ref === 'string') {
      stats.refs++;
      const ref = node.$ref;
      if (ref !== '#' && !ref.startsWith('#/')) {
        list({ kind: 'ref', path: `${path}/$ref`, message: `is ${quoted(ref)}, which points outside this schema; Bulwark resolves only references inside it (#/...): copy the referenced schema into $defs and refer to it as #/$defs/<name>` });
      } else {
        const target = resolvePointer(scope.node, ref.slice(1));
        if (target) child(target.value, `${scope.path}${target.path}`);
      }
    }
    onPath.add(node);
    return { node, path, scope, children, next: 0, below: 0 };
  };

  const stack: Frame[] = isObject(schema) ? [enter(schema, '', { node: schema, path: '' })] : [];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.children.length) {
      const c = top.children[top.next++]!;
      const known = height.get(c.value);
      if (known === undefined && !onPath.has(c.value)) stack.push(enter(c.value, c.path, top.scope));
      else if (known !== undefined && known > top.below) {
        top.below = known;
        top.via = c;
      }
      continue;
    }
    stack.pop();
    onPath.delete(top.node);
    const h = top.below + 1;
    height.set(top.node, h);
    via.set(top.node, top.via);
    const parent = stack[stack.length - 1];
    if (parent && h > parent.below) {
      parent.below = h;
      parent.via = { value: top.node, path: top.path };
    }
  }
  stats.nesting = isObject(schema) ? (height.get(schema) ?? 0) : 0;

  const problems: SchemaProblem[] = [];
  if (stats.nesting > MAX_SCHEMA_NESTING) {
    // Follow the longest chain to the subschema where it passes the limit.
    let at = { value: schema as Record<string, unknown>, path: '' };
    for (let level = 1; level <= MAX_SCHEMA_NESTING; level++) at = via.get(at.value) ?? at;
    problems.push({ kind: 'nesting', path: at.path, message: `is where a chain of ${stats.nesting} nested subschemas passes ${MAX_SCHEMA_NESTING} levels, counting each $ref followed as one level; flatten it, and refer to shared definitions directly rather than through chains of other definitions` });
  }
  if (stats.branches > MAX_SCHEMA_BRANCHES) {
    problems.push({ kind: 'branches', path: '', message: `has ${stats.branches} anyOf/oneOf/allOf branches in all (the longest list, ${widest.count}, at ${widest.path || '/'}), more than the ${MAX_SCHEMA_BRANCHES} Bulwark compiles; merge branches that differ only in constants into one with enum, or ${SPLIT}` });
  }
  if (stats.refs > MAX_SCHEMA_REFS) {
    problems.push({ kind: 'refs', path: '', message: `has ${stats.refs} $refs, more than the ${MAX_SCHEMA_REFS} Bulwark compiles; refer to a shared definition once from a common parent, or ${SPLIT}` });
  }
  if (stats.patterns > MAX_SCHEMA_PATTERNS) {
    problems.push({ kind: 'patterns', path: '', message: `has ${stats.patterns} regular expressions (pattern, patternProperties), more than the ${MAX_SCHEMA_PATTERNS} Bulwark compiles; use enum or format for fixed shapes, or ${SPLIT}` });
  }
  return [...problems, ...listed];
}

/**
 * Resolves a JSON Pointer taken from a $ref fragment ("/$defs/a", percent-encoded) inside a schema:
 * the subschema and its path as a JSON Pointer; undefined when it leads to no object.
 */
function resolvePointer(root: unknown, pointer: string): { value: unknown; path: string } | undefined {
  let at: unknown = root;
  let path = '';
  if (pointer === '') return { value: at, path };
  for (const raw of pointer.slice(1).split('/')) {
    let escaped: string;
    try {
      escaped = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    const key = escaped.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof at !== 'object' || at === null || !Object.prototype.hasOwnProperty.call(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
    path += `/${escaped}`;
  }
  return { value: at, path };
}

/** Formats problems as "path message" lines joined by "; " (for errors that are one string). */
export function describeSchemaProblems(problems: ReadonlyArray<{ path: string; message: string }>): string {
  return problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ');
}
