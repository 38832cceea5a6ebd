/** Files read into a shared chunk come back byte for byte, whatever their size; a missing file names itself. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileReader, decodeBatch } from './decode-batch';

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
  it('returns every file whole across chunk boundaries, for small files, files filling the room and files larger than a chunk', () => {
    const files = [
      ...Array.from({ length: 60 }, (_, i) => file(`small-${i}.bin`, 1 + ((i * 7919) % 40_000), i)),
      file('room.bin', 64 << 10, 1),
      file('big.bin', (1 << 20) + 12_345, 2),
      file('empty.bin', 0, 3),
      file('after.bin', 300, 4),
    ];
    const reader = new FileReader();
    const got = files.map((f) => reader.read(f));
    // Slices are never overwritten by later reads.
    files.forEach((f, i) => expect(Buffer.compare(got[i]!, readFileSync(f)), path.basename(f)).toBe(0));
  });

  it('a missing file becomes an error naming it, and the rest of the batch goes on', async () => {
    const ok = file('ok.bin', 10, 5);
    const missing = path.join(dir, 'missing.png');
    const out = await decodeBatch([missing, ok], { size: 4, channels: 1, fit: 'squash' });
    expect('error' in out[0]! && out[0].error.message).toContain(missing);
    expect('error' in out[1]! && out[1].error.message).toContain(ok); // not an image: its own error, naming it
  });
});
