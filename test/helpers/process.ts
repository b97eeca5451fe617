/**
 * Runs the built CLI as a child process for tests: one-shot runs with exit code and output, and a
 * long-running `bulwark serve` whose printed port and CA bundle are read from stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Where the compiled CLI lives, relative to the repository root (the tests' cwd). */
export const CLI = 'dist/webhook/cli.js';

/** The result of a one-shot run. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A running `bulwark serve`. */
export interface ServeProcess {
  child: ChildProcess;
  port: number;
  caFile: string;
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `bulwark serve` and waits until it prints its port. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bulwark serve did not start in ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdout!.on('data', (c) => {
      out += c;
      const port = /listening on https:\/\/[^:]+:(\d+)/.exec(out);
      const ca = /CA bundle: (.+)/.exec(out);
      if (port && ca) {
        clearTimeout(timer);
        resolve({
          child,
          port: Number(port[1]),
          caFile: ca[1]!.trim(),
          stdout: () => out,
          stderr: () => err,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.stderr!.on('data', (c) => (err += c));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bulwark serve exited with ${code}:\n${out}\n${err}`));
    });
  });
}
