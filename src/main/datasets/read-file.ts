import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Below this, synchronous reads beat the promise API's open/fstat/read/close round trips through the thread pool. */
const SYNC_READ_MAX = 1 << 20;

/**
 * A dataset file's bytes, opened read-only (the user's folders are never opened for writing). With the size from
 * the scan, small files take open + one read + close and a pooled buffer; a file that grew since is read again whole.
 */
export async function readImageFile(file: string, size?: number): Promise<Buffer> {
  if (size === undefined || size < 0 || size > SYNC_READ_MAX) return readFile(file);
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
      if (got === buf.length) return readFileSync(file); // grew since the scan
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
