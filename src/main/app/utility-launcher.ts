import { utilityProcess } from 'electron';
import type { ParentMessage, WorkerHandle, WorkerLauncher, WorkerMessage } from '../worker/protocol';

/** Training runs in an Electron utility process: a crash there is a failed run, never a dead window. */
export function utilityLauncher(workerScript: string): WorkerLauncher {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(workerScript, [], { serviceName: 'Lab training', stdio: 'inherit' });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    return {
      send: (message: ParentMessage) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', (m: WorkerMessage) => listener(m)),
      onExit: (listener) => child.once('exit', (code) => listener(code, null)),
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
