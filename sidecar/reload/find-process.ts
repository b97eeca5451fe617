/**
 * Finds processes of the pod through /proc (the pod shares its process namespace): by name (the
 * kernel's comm name, the base name of argv[0], or — when argv[0] is a script interpreter such as
 * node or python — the base name of the script it runs), or the main process of every other
 * container. Other arguments never match, so `tail -f /x/myapp` is not "myapp".
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** What a matcher sees of one process. */
interface ProcessInfo {
  pid: number;
  dir: string;
  argv: string[];
}

/** Returns the pids (ascending) of the processes a matcher accepts, excluding this process and pid 1. */
async function scanProcesses(procRoot: string, selfPid: number, accept: (p: ProcessInfo) => Promise<boolean>): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === selfPid || pid === 1) continue;
    const dir = `${procRoot}/${entry}`;
    try {
      const argv = (await readFile(`${dir}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      if (await accept({ pid, dir, argv })) pids.push(pid);
    } catch {
      // the process exited or is not ours to read
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Interpreters whose first non-option argument is the program (a script) a process name may refer to. */
export const INTERPRETERS = new Set(['node', 'nodejs', 'bun', 'deno', 'python', 'python2', 'python3', 'ruby', 'perl', 'php', 'sh', 'bash', 'dash', 'ash', 'zsh']);

/** Reports whether a process (comm and argv) is the program called name; pure. */
export function processMatches(name: string, comm: string, argv: readonly string[]): boolean {
  if (comm === name) return true;
  const arg0 = argv[0]?.split(' ')[0] ?? '';
  if (basename(arg0) === name) return true;
  const interpreter = basename(arg0).replace(/[\d.]+$/, '');
  if (!INTERPRETERS.has(interpreter) && !INTERPRETERS.has(basename(arg0))) return false;
  const script = argv.slice(1).find((a) => !a.startsWith('-'));
  return script !== undefined && basename(script) === name;
}

/** Returns the pids of the processes called name (see processMatches), excluding this process and pid 1. */
export function findProcesses(name: string, procRoot = '/proc', selfPid = process.pid): Promise<number[]> {
  return scanProcesses(procRoot, selfPid, async ({ dir, argv }) => processMatches(name, (await readFile(`${dir}/comm`, 'utf8')).trim(), argv));
}

/** Reads the parent pid from /proc/<pid>/stat (the field after the parenthesised command name). */
function parentPid(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[1]);
}

/**
 * Returns the main process of every other container in the pod: in a shared process namespace a
 * container's first process has parent pid 0 (its parent lives outside the namespace). Excludes pid 1
 * (the pause container), this process, Bulwark's own processes and kernel threads (no cmdline).
 */
export function findMainProcesses(procRoot = '/proc', selfPid = process.pid): Promise<number[]> {
  return scanProcesses(procRoot, selfPid, async ({ dir, argv }) => {
    if (argv.length === 0 || argv.some((a) => a.includes('sidecar/main.js') || basename(a) === 'bulwark-sidecar')) return false;
    return parentPid(await readFile(`${dir}/stat`, 'utf8')) === 0;
  });
}
