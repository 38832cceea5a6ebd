import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distinct, put, tempDir } from './test-fixtures';
import { checkFile } from './validate';
import { ValidatorPool } from './validate-pool';

describe('ValidatorPool', () => {
  const data = tempDir('workers');
  afterAll(data.cleanup);

  it('starts worker threads from the TypeScript sources and checks files exactly as in-process', async () => {
    const files = [path.join(data.dir, 'a.png'), path.join(data.dir, 'b.jpg'), path.join(data.dir, 'bad.png'), path.join(data.dir, 'missing.png')];
    await put(files[0]!, await distinct(0, 1));
    await put(files[1]!, await distinct(1, 1, 'jpeg'));
    await put(files[2]!, 'not a png');
    const input = { size: 8, channels: 3 as const, fit: 'crop' as const };
    const pool = await ValidatorPool.start(2);
    expect(pool, 'worker threads should start here').not.toBeNull();
    try {
      const sizes = [0, 1, 2].map((i) => statSync(files[i]!).size).concat([10]);
      const got = await pool!.check(files.map((p, i) => ({ path: p, size: sizes[i]! })), input);
      const want = await Promise.all(files.map((p, i) => checkFile(p, sizes[i]!, input)));
      expect(got).toEqual(want);
      expect(got[0]!.pixels).toHaveLength(192);
      expect(got[2]!.problem?.reason).toBe('not-an-image');
      expect(got[3]!.problem?.reason).toBe('unreadable');
    } finally {
      await pool?.close();
    }
  });
});
