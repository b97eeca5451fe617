/**
 * Finds the command-line tools the deployment tests run (helm, promtool, kubectl, cert-manager's
 * CRDs) and runs them; a missing tool skips the test with install instructions, or fails it when
 * CI=true.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (tests run from dist/test/...). */
export const ROOT = resolve(import.meta.dirname, '../../../..');

/** Tools known to test/peers/install.sh, with the peers.json key, env override and fallbacks. */
const TOOLS = {
  helm: { key: 'helm', env: 'BULWARK_HELM', fallback: ['/usr/local/bin/helm', '/usr/bin/helm'], install: 'bash test/deploy-tools.sh   (or: bash test/peers/install.sh helm)' },
  promtool: { key: 'promtool', env: 'BULWARK_PROMTOOL', fallback: ['/usr/bin/promtool'], install: 'bash test/deploy-tools.sh   (or: bash test/peers/install.sh promtool)' },
  kubectl: { key: 'kubectl', env: 'BULWARK_KUBECTL', fallback: ['/usr/local/bin/kubectl', '/usr/bin/kubectl'], install: 'bash test/peers/install.sh kubernetes' },
  'cert-manager-crds': { key: 'cert-manager-crds', env: 'BULWARK_CERT_MANAGER_CRDS', fallback: [], install: 'bash test/peers/install.sh cert-manager-crds' },
  'prometheus-operator-crds': { key: 'prometheus-operator-crds', env: 'BULWARK_PROMETHEUS_OPERATOR_CRDS', fallback: [], install: 'bash test/deploy-tools.sh' },
} as const;

/** A tool name. */
export type ToolName = keyof typeof TOOLS;

/** peers.json (test/peers/install.sh) merged with deploy-tools.json (test/deploy-tools.sh). */
function peersJson(): Record<string, unknown> {
  const dir = process.env.BULWARK_PEERS_DIR || join(homedir(), '.cache', 'bulwark', 'peers');
  const read = (f: string): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  return { ...read('deploy-tools.json'), ...read('peers.json') };
}

function usable(path: unknown, dir: boolean): path is string {
  if (typeof path !== 'string' || !path) return false;
  try {
    if (dir) return existsSync(path);
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of a tool (a directory for the *-crds entries), or undefined when it is not installed. */
export function findTool(name: ToolName): string | undefined {
  const t = TOOLS[name];
  const dir = name.endsWith('-crds');
  const candidates = [process.env[t.env], peersJson()[t.key], ...t.fallback];
  return candidates.find((c): c is string => usable(c, dir));
}

/** Returns the tool's path; otherwise skips the running test (or throws when CI=true) naming the install command. */
export function requireTool(ctx: Mocha.Context, name: ToolName): string {
  const path = findTool(name);
  if (path) return path;
  const msg = `${name} is not installed; install it with: ${TOOLS[name].install}`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(msg);
  process.stderr.write(`      [deploy] SKIPPED: ${msg}\n`);
  ctx.skip();
}

/** The outcome of one tool invocation. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool synchronously in the repository root; never throws on a non-zero exit. */
export function runTool(bin: string, args: string[], opts: { cwd?: string; input?: string } = {}): RunResult {
  const r = spawnSync(bin, args, { cwd: opts.cwd ?? ROOT, input: opts.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}
