/**
 * Runs kubectl against the test cluster and returns what a user would see: exit code, stdout and
 * stderr (where denials and "Warning:" lines appear). Never throws on a non-zero exit.
 */
import { spawn } from 'node:child_process';

/** The outcome of one kubectl invocation. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubectl bound to one kubeconfig. */
export class Kubectl {
  constructor(
    private readonly binary: string,
    readonly kubeconfig: string,
  ) {}

  /** Runs kubectl with args; input (e.g. a manifest for `-f -`) goes to stdin. */
  run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, ['--kubeconfig', this.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Runs kubectl and throws with stderr when it fails. */
  async ok(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** kubectl apply -f - of a manifest (object, list or YAML text); extra args like --dry-run=server. */
  apply(manifest: unknown, extra: string[] = []): Promise<KubectlResult> {
    const input = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    return this.run(['apply', '-f', '-', ...extra], { input });
  }

  /** kubectl create -f - of a manifest; extra args like --dry-run=server or -o json. */
  create(manifest: unknown, extra: string[] = []): Promise<KubectlResult> {
    const input = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    return this.run(['create', '-f', '-', ...extra], { input });
  }

  /** kubectl get -o json of one object; undefined when it does not exist. */
  async getJson(kind: string, name: string, namespace?: string): Promise<any | undefined> {
    const r = await this.run(['get', kind, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])]);
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${kind} ${name} failed: ${r.stderr.trim()}`);
    }
    return JSON.parse(r.stdout);
  }
}
