import type { ParentMessage, ParentPort, WorkerMessage } from './protocol';

interface ElectronParentPort {
  on(event: 'message', listener: (e: { data: ParentMessage }) => void): void;
  postMessage(message: WorkerMessage): void;
}

/** Pick the channel to the parent: Electron utilityProcess exposes process.parentPort; fork gives process.send. */
export function connectToParent(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (e) => listener(e.data)),
    };
  }
  if (!process.send) throw new Error('The training worker must be started by the lab (no IPC channel to a parent).');
  return {
    send: (message) => process.send?.(message),
    onMessage: (listener) => process.on('message', (m) => listener(m as ParentMessage)),
  };
}
