/**
 * Starts and stops the sample app from tests, and reads its state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { SampleState } from './sample-app.js';

/** A running sample app. */
export interface SampleApp {
  proc: ChildProcess;
  port: number;
  url: string;
  state(): Promise<SampleState>;
  stop(): Promise<void>;
}

/** The compiled sample app's path. */
export const SAMPLE_APP_JS = join(dirname(fileURLToPath(import.meta.url)), 'sample-app.js');

/** Starts the sample app with the given config path, on a given port or a free one. */
export async function startSampleApp(configPath: string, listenPort = 0): Promise<SampleApp> {
  const proc = spawn(process.execPath, [SAMPLE_APP_JS, '--config', configPath, '--port', String(listenPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code, sig) => reject(new Error(`sample app exited with ${code ?? sig}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    proc,
    port,
    url,
    state: async () => (await (await fetch(`${url}/config`)).json()) as SampleState,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Polls until check returns true or the timeout passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
