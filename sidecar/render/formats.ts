/**
 * Serialisers of a merged object into each file format: json, yaml (strings that a YAML 1.1 or 1.2
 * reader would take for something else are quoted), env (KEY=value, nested keys joined by "_",
 * quoted so dotenv reads every value back exactly), properties (dotted keys, Java escaping).
 * Two keys that flatten to the same name are an error; for secret files, error messages never
 * name a key (key names may come from secret content).
 */
import YAML from 'yaml';
import { SidecarError } from '../errors.js';
import type { FileFormat } from '../spec/types.js';

/** Flattens nested maps into [joinedKey, scalarText] pairs. */
export function flatten(obj: Record<string, unknown>, sep: string, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}${sep}${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) out.push(...flatten(v as Record<string, unknown>, sep, key));
    else out.push([key, typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : v === null || v === undefined ? '' : JSON.stringify(v)]);
  }
  return out;
}

/** Names a key in an error message, or only its position when key names must stay out of messages. */
function keyRef(key: string, index: number, secret: boolean): string {
  return secret ? `key number ${index + 1}` : `key "${key}"`;
}

/** Refuses two source keys that end up under one output name (a.b, a_b and {a:{b}} all become a_b in env). */
function refuseCollisions(pairs: Array<[string, string]>, format: string, secret: boolean): void {
  const seen = new Map<string, number>();
  pairs.forEach(([name], i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new SidecarError('RENDER_FAILED', `${keyRef(name, first, secret)} and ${keyRef(name, i, secret)} both become ${secret ? 'the same name' : `"${name}"`} in ${format}; rename one of the keys or use json or yaml`);
    }
    seen.set(name, i);
  });
}

/** The env file text of flattened pairs, quoted the way dotenv 16 reads values back exactly. */
function envText(pairs: Array<[string, string]>, secret: boolean): string {
  const named = pairs.map(([key, value], i): [string, string] => {
    const name = key.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(name)) throw new SidecarError('RENDER_FAILED', `${keyRef(key, i, secret)} cannot be an environment variable name; rename it or use another format`);
    return [name, value];
  });
  refuseCollisions(named, 'env', secret);
  return named.map(([name, value], i) => `${name}=${envValue(value, pairs[i]![0], i, secret)}`).join('\n') + '\n';
}

function envValue(value: string, key: string, index: number, secret: boolean): string {
  if (/^[A-Za-z0-9_./:@+,-]*$/.test(value)) return value;
  // dotenv turns every \r into \n before parsing; only double quotes bring \r (and \n) back, from the two-character escapes.
  const doubleQuotable = !value.includes('"') && !/\\[nr]/.test(value);
  if (!value.includes('\r')) {
    // Single- and back-quoted values are literal (newlines included).
    if (!value.includes("'")) return `'${value}'`;
    if (!value.includes('`')) return `\`${value}\``;
  }
  if (doubleQuotable) return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  throw new SidecarError('RENDER_FAILED', `value of ${keyRef(key, index, secret)} cannot be written as env so that dotenv reads it back exactly (quote characters, carriage returns or backslash-n sequences); use json, yaml or properties`);
}

function escapeProperties(s: string, isKey: boolean): string {
  let out = '';
  let leading = true;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch !== ' ') leading = false;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === ' ' && (isKey || leading)) out += '\\ ';
    else if (isKey && (ch === '=' || ch === ':')) out += `\\${ch}`;
    else if (ch === '#' || ch === '!') out += out === '' ? `\\${ch}` : ch;
    else if (c > 0x7e || c < 0x20) {
      const units = c > 0xffff ? String.fromCodePoint(c).split('') : [ch];
      for (const u of units) out += `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** Reports whether a one-line string written plain reads back as the same string in YAML 1.1 and 1.2. */
function plainIsSameString(s: string): boolean {
  try {
    return YAML.parse(s, { version: '1.1' }) === s && YAML.parse(s, { version: '1.2' }) === s;
  } catch {
    return false;
  }
}

/** YAML text where every string a YAML 1.1 reader (yes, on, y, 0777, dates...) or 1.2 reader would retype is double-quoted. */
function yamlText(obj: Record<string, unknown>): string {
  const doc = new YAML.Document(obj);
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !node.value.includes('\n') && !plainIsSameString(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString();
}

/** Serialises a merged object in one of the structured formats (raw is handled by the renderer); `secret` keeps key names out of errors. */
export function serialise(obj: Record<string, unknown>, format: Exclude<FileFormat, 'raw'>, secret = false): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(obj, null, 2)}\n`;
    case 'yaml':
      return yamlText(obj);
    case 'env':
      return envText(flatten(obj, '_'), secret);
    case 'properties': {
      const pairs = flatten(obj, '.');
      refuseCollisions(pairs, 'properties', secret);
      return pairs.map(([k, v]) => `${escapeProperties(k, true)}=${escapeProperties(v, false)}`).join('\n') + '\n';
    }
  }
}
