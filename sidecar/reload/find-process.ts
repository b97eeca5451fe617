/**
 * Finds processes by name through /proc (the pod shares its process namespace), matching the
 * kernel's comm name, or the base name of argv[0] or of any argument (e.g. a script name).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** Returns the pids whose comm or argv base name equals name, excluding this process and pid 1. */
export async function findProcesses(name: string, procRoot = '/proc', selfPid = process.pid): Promise<number[]> {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === selfPid || pid === 1) continue;
    try {
      const comm = (await readFile(`${procRoot}/${entry}/comm`, 'utf8')).trim();
      const argv = (await readFile(`${procRoot}/${entry}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      if (comm === name || argv.some((a) => basename(a) === name) || argv[0]?.split(' ')[0] === name) pids.push(pid);
    } catch {
      // the process exited or is not ours to read
    }
  }
  return pids;
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
export async function findMainProcesses(procRoot = '/proc', selfPid = process.pid): Promise<number[]> {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === selfPid || pid === 1) continue;
    try {
      const stat = await readFile(`${procRoot}/${entry}/stat`, 'utf8');
      if (parentPid(stat) !== 0) continue;
      const cmdline = (await readFile(`${procRoot}/${entry}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      if (cmdline.length === 0 || cmdline.some((a) => a.includes('sidecar/main.js') || basename(a) === 'bulwark-sidecar')) continue;
      pids.push(pid);
    } catch {
      // the process exited or is not ours to read
    }
  }
  return pids.sort((a, b) => a - b);
}
