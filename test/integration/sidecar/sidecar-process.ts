/**
 * Runs the compiled `bulwark-sidecar` (dist/sidecar/main.js) as a child process for end-to-end
 * tests: init to completion, or run in the background with its JSON log lines collected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';

/** The compiled sidecar entry point. */
export const SIDECAR_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'sidecar', 'main.js');

/** A running `bulwark-sidecar run`. */
export interface RunningSidecar {
  proc: ChildProcess;
  port: number;
  logs: Array<Record<string, unknown>>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** Writes the spec next to the root and returns its path. */
export async function writeSpec(dir: string, spec: SidecarSpec): Promise<string> {
  const path = join(dir, 'spec.json');
  await writeFile(path, JSON.stringify(spec));
  return path;
}

/** Runs `bulwark-sidecar init` to completion. */
export function runInit(specFile: string, root: string, env: Record<string, string> = {}): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [SIDECAR_MAIN, 'init', '--spec-file', specFile, '--root', root], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('exit', (code) => resolve({ code: code ?? -1, stderr, ms: Date.now() - started }));
  });
}

/** Starts `bulwark-sidecar run` on a free port and waits until it serves /healthz. */
export async function startSidecar(specFile: string, root: string, env: Record<string, string> = {}, extraArgs: string[] = []): Promise<RunningSidecar> {
  const proc = spawn(process.execPath, [SIDECAR_MAIN, 'run', '--spec-file', specFile, '--root', root, '--port', '0', ...extraArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let buf = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr!.on('data', (c: Buffer) => {
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.message === 'sidecar running') resolve(Number(entry.port));
        } catch {
          logs.push({ message: line });
        }
      }
    });
    proc.once('exit', (code) => reject(new Error(`sidecar exited with ${code}: ${JSON.stringify(logs.slice(-3))}`)));
  });
  return {
    proc,
    port,
    logs,
    metrics: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Reads one sample value of a metric from Prometheus text (undefined when absent). */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  const escaped = `${name}${labels ? `{${labels}}` : ''}`.replace(/[{}"|.+*?()[\]\\^$]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}
