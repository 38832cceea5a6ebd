import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Below this, one synchronous read beats the promise API's open/fstat/read/close round trips through the thread pool. */
const SYNC_READ_MAX = 1 << 20;

/** A dataset file's bytes (read only; the user's folders are never opened for writing). */
export async function readImageFile(file: string, size?: number): Promise<Buffer> {
  if (size !== undefined && size >= 0 && size <= SYNC_READ_MAX) return readFileSync(file);
  return readFile(file);
}
