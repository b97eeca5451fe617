/**
 * The signal strategy: sends a signal (SIGHUP by default) to the named process(es) of the pod.
 */
import { SidecarError } from '../errors.js';
import { findMainProcesses, findProcesses } from './find-process.js';

/**
 * Sends signal to every process called name or, without a name, to the main process of every
 * other container in the pod; throws RELOAD_FAILED when none is found or none can be signalled.
 */
export async function signalProcess(signal: string, name: string | undefined, procRoot = '/proc'): Promise<number[]> {
  const pids = name ? await findProcesses(name, procRoot) : await findMainProcesses(procRoot);
  if (pids.length === 0) {
    const what = name ? `no process named ${name} found` : 'no container main process found';
    throw new SidecarError('RELOAD_FAILED', `${what}; does the pod set shareProcessNamespace: true?`, name ? { process: name } : {});
  }
  const sent: number[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, signal as NodeJS.Signals);
      sent.push(pid);
    } catch {
      // exited or not permitted; other pids may succeed
    }
  }
  if (sent.length === 0) throw new SidecarError('RELOAD_FAILED', `could not send ${signal} to ${name ? `process ${name}` : 'the app containers'} (pids ${pids.join(',')})`, name ? { process: name } : {});
  return sent;
}
