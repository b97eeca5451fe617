#!/usr/bin/env node
/**
 * The bulwark-sidecar command: `init` fetches and writes every file once; `run` keeps them
 * current (watch, reload, roll back, fall back) and serves /healthz and /metrics on 127.0.0.1.
 */
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseSpec } from './spec/schema.js';
import { SPEC_ENV, type SidecarSpec } from './spec/types.js';
import { SidecarError } from './errors.js';
import { createSidecarLogger } from './log.js';
import { SidecarMetrics } from './metrics.js';
import { Engine, initFailure } from './engine.js';
import { Runner } from './runner.js';
import { DEFAULT_READ_TIMEOUT_MS } from './core/fetcher.js';
import { startSidecarServer, DEFAULT_SIDECAR_PORT, METRICS_ADDRESS_ENV } from './server.js';
import { EncryptedCache } from './fallback/encrypted-cache.js';
import type { LogLevel } from '../webhook/log.js';

/** Options shared by both sub-commands. */
export interface CommonOptions {
  specFile?: string;
  root?: string;
  cacheFile?: string;
  cacheKeyFile?: string;
  logLevel?: LogLevel;
  /** Seconds one store read may take before it counts as UNAVAILABLE. */
  readTimeout?: number;
}

/** The per-read deadline in ms from --read-timeout or $BULWARK_READ_TIMEOUT_SECONDS (default DEFAULT_READ_TIMEOUT_MS). */
export function readTimeoutMs(opts: CommonOptions, env = process.env): number {
  const seconds = opts.readTimeout ?? (env.BULWARK_READ_TIMEOUT_SECONDS ? Number(env.BULWARK_READ_TIMEOUT_SECONDS) : undefined);
  if (seconds === undefined) return DEFAULT_READ_TIMEOUT_MS;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new SidecarError('SPEC_INVALID', 'the read timeout must be a positive number of seconds (--read-timeout or BULWARK_READ_TIMEOUT_SECONDS)');
  return seconds * 1000;
}

/** The downward-API variables the webhook sets in Bulwark's containers. */
export const POD_NAME_ENV = 'BULWARK_POD_NAME';
export const POD_NAMESPACE_ENV = 'BULWARK_POD_NAMESPACE';

/**
 * Loads and validates the spec from --spec-file or the BULWARK_SPEC variable. The pod's real name (a
 * Deployment's pods have none at admission) fills spec.pod.name for logs; a spec built for another
 * namespace than the pod's own is refused, since every store scope in it was decided for that namespace.
 */
export async function loadSpec(specFile: string | undefined, env = process.env): Promise<SidecarSpec> {
  const text = specFile ? await readFile(specFile, 'utf8') : env[SPEC_ENV];
  if (!text) throw new SidecarError('SPEC_INVALID', `no sidecar spec: set ${SPEC_ENV} or pass --spec-file`);
  let spec: SidecarSpec;
  try {
    spec = parseSpec(text);
  } catch (err) {
    throw new SidecarError('SPEC_INVALID', (err as Error).message);
  }
  const namespace = env[POD_NAMESPACE_ENV];
  if (namespace && namespace !== spec.pod.namespace) {
    throw new SidecarError('SPEC_INVALID', `the sidecar spec was built for namespace ${spec.pod.namespace}, but this pod runs in ${namespace} (${POD_NAMESPACE_ENV}); let the webhook inject the pod instead of copying a spec`);
  }
  const name = env[POD_NAME_ENV];
  if (name && !spec.pod.name) spec.pod.name = name;
  return spec;
}

function buildEngine(spec: SidecarSpec, opts: CommonOptions, metrics: SidecarMetrics): Engine {
  const logger = createSidecarLogger(opts.logLevel ?? 'info', { component: 'sidecar', namespace: spec.pod.namespace, pod: spec.pod.name });
  const cacheKey = opts.cacheKeyFile ?? process.env.BULWARK_CACHE_KEY_FILE;
  const cacheFile = opts.cacheFile ?? process.env.BULWARK_CACHE_FILE;
  const cache = cacheKey && cacheFile ? new EncryptedCache(cacheFile, cacheKey) : undefined;
  return new Engine({ spec, root: opts.root ?? spec.mountPath, logger, metrics, cache, readTimeoutMs: readTimeoutMs(opts) });
}

/** `init`: fetch and write everything once; returns the process exit code. */
export async function runInit(opts: CommonOptions): Promise<number> {
  const spec = await loadSpec(opts.specFile);
  const engine = buildEngine(spec, opts, new SidecarMetrics());
  try {
    await engine.seed();
    const result = await engine.sync('init', false, spec.onFailure === 'fail');
    const failure = initFailure(spec, result.failures, new Set(engine.state().keys()));
    if (failure) {
      process.stderr.write(`bulwark-sidecar init: ${failure.message}\n`);
      return 1;
    }
    await engine.ensureWritten();
    return 0;
  } finally {
    await engine.close();
  }
}

/** `run`: the long-running sidecar; resolves when SIGTERM or SIGINT arrives. */
export async function runSidecar(opts: CommonOptions & { port?: number }): Promise<number> {
  const spec = await loadSpec(opts.specFile);
  const metrics = new SidecarMetrics();
  const engine = buildEngine(spec, opts, metrics);
  const logger = createSidecarLogger(opts.logLevel ?? 'info');
  const abort = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => abort.abort());
  await engine.seed();
  const port = opts.port ?? Number(process.env.BULWARK_SIDECAR_PORT ?? DEFAULT_SIDECAR_PORT);
  const root = opts.root ?? spec.mountPath;
  const { server, port: bound } = await startSidecarServer(metrics, () => ({
    files: Object.fromEntries(spec.files.map((f) => [f.name, { version: engine.state().get(f.name)?.hash ?? null, stalenessSeconds: Number.isFinite(metrics.stalenessOf(f.name)) ? metrics.stalenessOf(f.name) : null }])),
  }), port, process.env[METRICS_ADDRESS_ENV] || '127.0.0.1');
  logger.info('sidecar running', { port: bound, root: join(root), files: spec.files.length, initOnly: spec.initOnly });
  if (!spec.initOnly) await new Runner(spec, engine, logger, abort.signal).run();
  else await new Promise((resolve) => abort.signal.addEventListener('abort', resolve, { once: true }));
  server.close();
  await engine.close();
  logger.info('sidecar stopped');
  return 0;
}

/** Builds the command-line program. */
export function buildProgram(): Command {
  const program = new Command('bulwark-sidecar').description('Fetches secrets and config into files, keeps them current and reloads the app.');
  const common = (c: Command): Command =>
    c
      .option('--spec-file <path>', `read the spec from a file instead of $${SPEC_ENV}`)
      .option('--root <dir>', 'write files under this directory instead of spec.mountPath')
      .option('--cache-file <path>', 'encrypted last-good cache file (or $BULWARK_CACHE_FILE)')
      .option('--cache-key-file <path>', 'file holding the 32-byte cache key (or $BULWARK_CACHE_KEY_FILE)')
      .option('--log-level <level>', 'error|warn|info|debug', 'info')
      .option('--read-timeout <seconds>', `seconds one store read may take before it counts as unavailable (or $BULWARK_READ_TIMEOUT_SECONDS, default ${DEFAULT_READ_TIMEOUT_MS / 1000})`, (v) => Number(v));
  common(program.command('init').description('fetch and write every file once, then exit')).action(async (o: CommonOptions) => {
    process.exitCode = await runInit(o);
  });
  common(program.command('run').description('keep files current, reload the app, roll back and fall back'))
    .option('--port <port>', `port of /healthz and /metrics on 127.0.0.1 (or $BULWARK_SIDECAR_PORT, default ${DEFAULT_SIDECAR_PORT})`, (v) => Number(v))
    .action(async (o: CommonOptions & { port?: number }) => {
      process.exitCode = await runSidecar(o);
    });
  return program;
}

function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

const isMain = invokedDirectly();
if (isMain) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`bulwark-sidecar: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
}
