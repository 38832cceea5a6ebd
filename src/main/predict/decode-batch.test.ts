/** Files come back byte for byte whatever their size (small ones from the shared chunk, large ones read asynchronously); a missing file names itself. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileReader, SMALL_BYTES, decodeBatch } from './decode-batch';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-decode-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: number, seed: number): string {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed * 7) & 255;
  const f = path.join(dir, name);
  writeFileSync(f, data);
  return f;
}

describe('FileReader', () => {
  it('returns every file whole across chunk boundaries, for small files, files at the small-file limit and files larger than a chunk', async () => {
    const files = [
      ...Array.from({ length: 60 }, (_, i) => file(`small-${i}.bin`, 1 + ((i * 7919) % 40_000), i)),
      file('limit-1.bin', SMALL_BYTES - 1, 6),
      file('limit.bin', SMALL_BYTES, 1),
      file('big.bin', (1 << 20) + 12_345, 2),
      file('empty.bin', 0, 3),
      file('after.bin', 300, 4),
    ];
    const reader = new FileReader();
    const got = await Promise.all(files.map((f) => reader.read(f)));
    // Slices are never overwritten by later reads.
    files.forEach((f, i) => expect(Buffer.compare(got[i]!, readFileSync(f)), path.basename(f)).toBe(0));
    // Only files below the limit are read synchronously; the others are left to the asynchronous read.
    expect(reader.readSmall(files[60]!)?.length).toBe(SMALL_BYTES - 1);
    expect(reader.readSmall(files[61]!)).toBeNull();
    expect(reader.readSmall(files[62]!)).toBeNull();
  });

  it('a missing file becomes an error naming it, and the rest of the batch goes on', async () => {
    const ok = file('ok.bin', 10, 5);
    const missing = path.join(dir, 'missing.png');
    const out = await decodeBatch([missing, ok], { size: 4, channels: 1, fit: 'squash' });
    expect('error' in out[0]! && out[0].error.message).toContain(missing);
    expect('error' in out[1]! && out[1].error.message).toContain(ok); // not an image: its own error, naming it
  });
});
