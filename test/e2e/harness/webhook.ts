/**
 * Runs the real Bulwark webhook as a local process (`node dist/webhook/cli.js serve`), connected to
 * the test cluster through its kubeconfig, serving a certificate generated for 127.0.0.1. The port
 * is learned from the first start and reused on restart, so the webhook configurations keep
 * pointing at it while the process is stopped and started again.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateCerts } from '../../../webhook/certs/generate.js';
import { writeCertDir } from '../../../webhook/certs/files.js';
import { waitFor } from './net.js';
import { repoPath } from './paths.js';
import type { WebhookControl } from './in-cluster.js';
import { ManagedProcess } from './process.js';

/** What the webhook process needs. */
export interface WebhookProcessOptions {
  kubeconfig: string;
  dir: string;
  policiesDir: string;
  ownNamespace?: string;
  extraArgs?: string[];
}

/** Copies each source directory's files into dest, later sources overwriting earlier ones. */
export async function mergePolicyDirs(dest: string, sources: string[]): Promise<string> {
  await mkdir(dest, { recursive: true });
  for (const src of sources) {
    if (!existsSync(src)) continue;
    for (const entry of await readdir(src)) await cp(join(src, entry), join(dest, entry), { recursive: true, force: true });
  }
  return dest;
}

/** The default policies plus the e2e fixtures (test/e2e/fixtures/policies), merged into dir/policies. */
export function e2ePolicies(dir: string): Promise<string> {
  return mergePolicyDirs(join(dir, 'policies'), [repoPath('policies'), repoPath('test/e2e/fixtures/policies')]);
}

/** A webhook process that can be stopped and started again on the same port. */
export class WebhookProcess implements WebhookControl {
  private proc: ManagedProcess | undefined;
  private starts = 0;
  port = 0;
  caPem = '';
  readonly certDir: string;

  constructor(private readonly opts: WebhookProcessOptions) {
    this.certDir = join(opts.dir, 'webhook-tls');
  }

  /** The URL the webhook configurations call. */
  get description(): string {
    return this.baseUrl;
  }

  /** https://127.0.0.1:<port> once started. */
  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Starts the process and resolves when it listens and /readyz answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (!this.caPem) {
      const certs = generateCerts(['127.0.0.1', 'localhost']);
      await writeCertDir(this.certDir, certs);
      this.caPem = certs.ca.certPem;
    }
    const args = [
      repoPath('dist/webhook/cli.js'), 'serve',
      '--cluster', 'kubeconfig',
      '--kubeconfig', this.opts.kubeconfig,
      '--address', '127.0.0.1',
      '--port', String(this.port),
      '--cert-dir', this.certDir,
      '--state-dir', join(this.opts.dir, 'webhook-state'),
      '--policies-dir', this.opts.policiesDir,
      '--own-namespace', this.opts.ownNamespace ?? 'bulwark-system',
      '--shutdown-timeout', '2s',
      '--log-level', 'debug',
      ...(this.opts.extraArgs ?? []),
    ];
    this.starts++;
    const proc = new ManagedProcess('bulwark webhook', process.execPath, args, join(this.opts.dir, `webhook-${this.starts}.log`), { cwd: repoPath('.') });
    this.proc = proc;
    let out = '';
    proc.onStdout((c) => (out += c));
    const port = await waitFor(
      'the webhook to print "Bulwark webhook listening"',
      async () => {
        const m = /Bulwark webhook listening on https:\/\/[^:]+:(\d+)/.exec(out);
        return m ? Number(m[1]) : undefined;
      },
      { timeoutMs, abort: () => proc.exitReason() },
    );
    this.port = port;
    await waitFor('webhook /readyz', async () => ((await this.get('/readyz')) === 200 ? true : undefined), { timeoutMs, abort: () => proc.exitReason() });
  }

  /** GETs a path over TLS with the webhook's CA; returns the status code. */
  async get(path: string): Promise<number> {
    const { request } = await import('../../helpers/https.js');
    return (await request(`${this.baseUrl}${path}`, { ca: this.caPem })).status;
  }

  /** The webhook's log so far (JSON lines on stderr). */
  log(): string {
    return this.proc?.tail(200) ?? '';
  }

  /** Whether the process is running. */
  running(): boolean {
    return !!this.proc && this.proc.exitReason() === undefined;
  }

  /** Stops the process (SIGTERM, graceful). */
  async stop(): Promise<void> {
    await this.proc?.stop();
  }
}
