/**
 * A sample app for Bulwark's sidecar tests: it loads a config file at start, reloads it on SIGHUP
 * and on POST /reload, reports what it loaded at GET /config, and is unhealthy (GET /healthz 503)
 * after POST /break or while its config holds a top-level `"break": true` (JSON or YAML).
 *
 * GET /files describes every file of a directory (--dir, default: the config file's) by size,
 * mode, owner and SHA-256, never by content, so a test can check secret files without reading them.
 *
 * Usage: node dist/test/sample-app/sample-app.js --config <file> [--port <port>] [--host <addr>] [--dir <dir>]
 * Prints `listening <port>` on stdout once ready.
 */
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import YAML from 'yaml';

/** What the app currently holds. */
export interface SampleState {
  raw: string | null;
  config: unknown;
  loads: number;
  via: string;
  broken: boolean;
  error?: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const configPath = arg('config');
const state: SampleState = { raw: null, config: null, loads: 0, via: 'none', broken: false };

function load(via: string): void {
  state.via = via;
  state.loads += 1;
  try {
    state.raw = configPath ? readFileSync(configPath, 'utf8') : null;
    try {
      state.config = state.raw === null ? null : YAML.parse(state.raw);
    } catch {
      state.config = state.raw;
    }
    delete state.error;
  } catch (err) {
    state.error = (err as NodeJS.ErrnoException).code ?? 'read failed';
  }
}

/** One file as GET /files reports it. */
export interface FileFacts {
  size: number;
  mode: string;
  uid: number;
  gid: number;
  sha256: string;
}

function describeFiles(): Record<string, FileFacts | { error: string }> {
  const dir = arg('dir') ?? (configPath ? join(configPath, '..') : undefined);
  const out: Record<string, FileFacts | { error: string }> = {};
  if (!dir) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue; // the sidecar's staging and state entries
    const p = join(dir, name);
    try {
      const st = statSync(p);
      if (!st.isFile()) continue;
      const sha256 = createHash('sha256').update(readFileSync(p)).digest('hex');
      out[name] = { size: st.size, mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), uid: st.uid, gid: st.gid, sha256 };
    } catch (err) {
      out[name] = { error: (err as NodeJS.ErrnoException).code ?? 'read failed' };
    }
  }
  return out;
}

function unhealthy(): boolean {
  const c = state.config as { break?: unknown } | null;
  return state.broken || (typeof c === 'object' && c !== null && c.break === true);
}

load('start');
// --exit-after-start: a batch job's shape: exit 0 when the config loaded, 1 when it did not.
if (process.argv.includes('--exit-after-start')) {
  process.stdout.write(`loaded ${configPath}: ${state.error ?? 'ok'}\n`);
  process.exit(state.error ? 1 : 0);
}
process.on('SIGHUP', () => load('SIGHUP'));
process.on('SIGTERM', () => process.exit(0));

const server = createServer((req, res) => {
  const send = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && path === '/reload') {
    load('http');
    return send(200, { loads: state.loads });
  }
  if (req.method === 'POST' && path === '/break') {
    state.broken = true;
    return send(200, { broken: true });
  }
  if (req.method === 'POST' && path === '/fix') {
    state.broken = false;
    return send(200, { broken: false });
  }
  if (req.method === 'GET' && path === '/healthz') return unhealthy() ? send(503, { healthy: false }) : send(200, { healthy: true });
  if (req.method === 'GET' && path === '/config') return send(200, state);
  if (req.method === 'GET' && path === '/files') return send(200, describeFiles());
  send(404, { error: 'not found' });
});
server.listen(Number(arg('port') ?? 0), arg('host') ?? '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
