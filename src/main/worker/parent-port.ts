import type { ParentMessage, ParentPort, WorkerMessage } from './protocol';

interface ElectronParentPort {
  on(event: 'message', listener: (e: { data: ParentMessage }) => void): void;
  removeAllListeners?(event: 'message'): void;
  postMessage(message: WorkerMessage): void;
}

/** Pick the channel to the parent: Electron utilityProcess exposes process.parentPort; fork gives process.send. */
export function connectToParent(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (e) => listener(e.data)),
      // Nothing left to listen to: the process ends when its work is done (the parent kills it if it does not).
      close: (last) => {
        electronPort.postMessage(last);
        electronPort.removeAllListeners?.('message');
      },
    };
  }
  if (!process.send) throw new Error('The training worker must be started by the lab (no IPC channel to a parent).');
  return {
    send: (message) => process.send?.(message),
    onMessage: (listener) => process.on('message', (m) => listener(m as ParentMessage)),
    // Disconnect once the last message is written: the open channel is what keeps the process alive.
    close: (last) => {
      if (!process.send) return;
      process.send(last, undefined, {}, () => process.disconnect?.());
    },
  };
}
