/**
 * Test support: counts what is read from the decoded cache. A test file hands these to vi.mock so every module of
 * the test reads through them:
 *   const seen = vi.hoisted(() => ({ rowsPerRead: [] as number[], wholeLoads: 0 }));
 *   vi.mock('…/datasets/split-on-disk', async (orig) => (await import('…/test-support/read-counter')).countingReader(await orig(), seen));
 *   vi.mock('…/datasets/pixel-cache', async (orig) => (await import('…/test-support/read-counter')).countingLoader(await orig(), seen));
 * rowsPerRead: images asked for per call of the batch reader (readSplitRows, and readPixels on a split on disk);
 * wholeLoads: calls of loadSplit, which reads a whole split into one array.
 */
import type * as SplitOnDiskModule from '../split-on-disk';
import type * as PixelCacheModule from '../pixel-cache';

export interface ReadsSeen {
  rowsPerRead: number[];
  wholeLoads: number;
}

export function countingReader(real: typeof SplitOnDiskModule, seen: ReadsSeen): typeof SplitOnDiskModule {
  return {
    ...real,
    readSplitRows: (split, picks) => {
      seen.rowsPerRead.push(picks.length);
      return real.readSplitRows(split, picks);
    },
    readPixels: (split, picks) => {
      if (real.isOnDisk(split)) seen.rowsPerRead.push(picks.length);
      return real.readPixels(split, picks);
    },
  };
}

export function countingLoader(real: typeof PixelCacheModule, seen: ReadsSeen): typeof PixelCacheModule {
  return {
    ...real,
    loadSplit: (...args) => {
      seen.wholeLoads++;
      return real.loadSplit(...args);
    },
  };
}

export function resetReads(seen: ReadsSeen): void {
  seen.rowsPerRead.length = 0;
  seen.wholeLoads = 0;
}
