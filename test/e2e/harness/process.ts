/**
 * A child process owned by the harness: output goes to a log file, exit is observable, and stop()
 * sends SIGTERM, then SIGKILL after a grace period, and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

/** Every process the harness started and has not yet seen exit (for the emergency exit hook). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed or interrupted test run must not leave an apiserver behind.
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) c.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** A started process. */
export class ManagedProcess {
  private readonly child: ChildProcess;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private readonly stdoutListeners: Array<(chunk: string) => void> = [];

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly logFile: string,
    opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {
    installExitHook();
    const log = createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
    live.add(this.child);
    this.child.stdout!.on('data', (c: Buffer) => {
      log.write(c);
      for (const l of this.stdoutListeners) l(c.toString('utf8'));
    });
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this.child);
        resolve();
      });
      this.child.on('error', (err) => {
        log.write(`spawn error: ${err.message}\n`);
        this.exitInfo = { code: -1, signal: null };
        live.delete(this.child);
        resolve();
      });
    });
  }

  /** The process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while running; otherwise how it ended. */
  exitReason(): string | undefined {
    if (!this.exitInfo) return undefined;
    return `${this.name} exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}); last log lines:\n${this.tail(25)}`;
  }

  /** Calls fn with every chunk of stdout. */
  onStdout(fn: (chunk: string) => void): void {
    this.stdoutListeners.push(fn);
  }

  /** The last n lines of the log file. */
  tail(n: number): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-n - 1).join('\n');
    } catch {
      return '';
    }
  }

  /** Stops the process: SIGTERM, SIGKILL after graceMs, resolves when it has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitInfo) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
