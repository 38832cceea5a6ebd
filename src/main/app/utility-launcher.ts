import { utilityProcess } from 'electron';
import type { ParentMessage, WorkerHandle, WorkerLauncher, WorkerMessage } from '../worker/protocol';
import { supervise } from '../worker/supervisor';

/** Training runs in an Electron utility process: a crash there is a failed run, never a dead window. */
export function utilityLauncher(workerScript: string): WorkerLauncher {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(workerScript, [], { serviceName: 'Lab training', stdio: 'pipe' });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    // Still shown on the app's console; the supervisor also keeps stderr's last lines for the crash reason.
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
    return supervise({
      send: (message: ParentMessage) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', (m: WorkerMessage) => listener(m)),
      // Electron reports no signal; a crash shows as a non-zero code.
      onExit: (listener) => child.once('exit', (code) => listener(code, null)),
      onStderr: (listener) => child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString('utf8'))),
      kill: (signal) => {
        if (exited) return;
        // utilityProcess.kill() sends SIGTERM; SIGKILL goes through the pid.
        if (signal === 'SIGKILL' && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
        else child.kill();
      },
    });
  };
}
