/**
 * Finds processes of the pod through /proc (the pod shares its process namespace): by name (the
 * kernel's comm name, or the base name of argv[0] or of any argument, e.g. a script name), or the
 * main process of every other container.
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

/** Returns the pids whose comm or argv base name equals name, excluding this process and pid 1. */
export function findProcesses(name: string, procRoot = '/proc', selfPid = process.pid): Promise<number[]> {
  return scanProcesses(procRoot, selfPid, async ({ dir, argv }) => {
    const comm = (await readFile(`${dir}/comm`, 'utf8')).trim();
    return comm === name || argv.some((a) => basename(a) === name) || argv[0]?.split(' ')[0] === name;
  });
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
