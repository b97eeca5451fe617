/**
 * Serialisers of a merged object into each file format: json, yaml, env (KEY=value, nested keys
 * joined by "_"), properties (dotted keys, Java escaping).
 */
import YAML from 'yaml';
import { SidecarError } from '../errors.js';
import type { FileFormat } from '../spec/types.js';

/** Flattens nested maps into [joinedKey, scalarText] pairs. */
export function flatten(obj: Record<string, unknown>, sep: string, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}${sep}${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v as Record<string, unknown>, sep, key));
    else out.push([key, typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v)]);
  }
  return out;
}

function envLine([key, value]: [string, string]): string {
  const name = key.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) throw new SidecarError('RENDER_FAILED', `key "${key}" cannot be an environment variable name; rename it or use another format`);
  if (/^[A-Za-z0-9_./:@+,-]*$/.test(value)) return `${name}=${value}`;
  // dotenv semantics: single- and back-quoted values are literal (newlines included); double quotes only expand \n.
  if (!value.includes("'")) return `${name}='${value}'`;
  if (!value.includes('`')) return `${name}=\`${value}\``;
  if (!value.includes('"')) return `${name}="${value.replace(/\n/g, '\\n')}"`;
  throw new SidecarError('RENDER_FAILED', `value of ${key} mixes all three quote characters and cannot be written as env; use json, yaml or properties`);
}

function escapeProperties(s: string, isKey: boolean): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (isKey && (ch === '=' || ch === ':' || ch === ' ')) out += `\\${ch}`;
    else if (ch === '#' || ch === '!') out += out === '' ? `\\${ch}` : ch;
    else if (c > 0x7e || c < 0x20) {
      const units = c > 0xffff ? [...String.fromCodePoint(c)].join('').split('') : [ch];
      for (const u of units) out += `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** Serialises a merged object in one of the structured formats (raw is handled by the renderer). */
export function serialise(obj: Record<string, unknown>, format: Exclude<FileFormat, 'raw'>): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(obj, null, 2)}\n`;
    case 'yaml':
      return YAML.stringify(obj);
    case 'env':
      return flatten(obj, '_').map(envLine).join('\n') + '\n';
    case 'properties':
      return flatten(obj, '.').map(([k, v]) => `${escapeProperties(k, true)}=${escapeProperties(v, false)}`).join('\n') + '\n';
  }
}
