/**
 * The signal strategy: sends a signal (SIGHUP by default) to the named process(es) of the pod.
 */
import { SidecarError } from '../errors.js';
import { findProcesses } from './find-process.js';

/** Sends signal to every process called name; throws RELOAD_FAILED when none is found or none can be signalled. */
export async function signalProcess(signal: string, name: string | undefined, procRoot = '/proc'): Promise<number[]> {
  if (!name) throw new SidecarError('RELOAD_FAILED', 'signal reload needs a process name (reload: signal:SIGHUP:<process>)');
  const pids = await findProcesses(name, procRoot);
  if (pids.length === 0) throw new SidecarError('RELOAD_FAILED', `no process named ${name} found; does the pod set shareProcessNamespace: true?`, { process: name });
  const sent: number[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, signal as NodeJS.Signals);
      sent.push(pid);
    } catch {
      // exited or not permitted; other pids may succeed
    }
  }
  if (sent.length === 0) throw new SidecarError('RELOAD_FAILED', `could not send ${signal} to process ${name} (pids ${pids.join(',')})`, { process: name });
  return sent;
}
