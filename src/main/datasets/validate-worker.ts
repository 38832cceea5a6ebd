/** Worker thread entry: checks batches of files (read, hash, decode, preprocess) off the main thread. */
import { parentPort } from 'node:worker_threads';
import type { InputConfig } from '../../shared/config';
import { checkFile, type CheckedFile } from './validate';

export interface ValidateBatch {
  id: number;
  files: { path: string; size: number }[];
  input?: InputConfig;
}

export interface ValidateBatchResult {
  id: number;
  results: CheckedFile[];
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (batch: ValidateBatch) => {
    void (async () => {
      const results: CheckedFile[] = [];
      const transfer: ArrayBuffer[] = [];
      for (const f of batch.files) {
        const r = await checkFile(f.path, f.size, batch.input);
        if (r.pixels) {
          // Own copy of the row, so only it (not a shared pool or the decoder's buffer) moves to the main thread.
          const own = new Uint8Array(r.pixels);
          r.pixels = own;
          transfer.push(own.buffer);
        }
        results.push(r);
      }
      const reply: ValidateBatchResult = { id: batch.id, results };
      port.postMessage(reply, transfer);
    })();
  });
  port.postMessage({ ready: true });
}
