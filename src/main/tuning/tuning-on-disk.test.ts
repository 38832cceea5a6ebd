/**
 * A tune of a dataset keeps its splits in the decoded cache: trials open them as a normal run does (loaded when they
 * fit the memory allowance, streamed when not), so a trial streamed from disk retraces the curve of the same trial
 * in memory, the images read per call of the decoded-cache reader stay a batch whatever the split's size, the
 * whole-split loader is never called, and trials that fit in memory share one load.
 * The reader (readSplitRows, readPixels) and the whole-split loader (loadSplit) are instrumented.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrainConfigInput } from '../../shared/config';
import { TuneBudgetsSchema } from '../../shared/tuning';
import { importDataset } from '../datasets';
import { loadSplit } from '../datasets/pixel-cache';
import { distinct, put, tempDir, tempWorkspace } from '../datasets/test-fixtures';
import { resetReads } from '../datasets/test-support/read-counter';
import { parseTrainConfig } from '../training';
import type { TuneContext, TuneData } from './context';
import { loadTuneData } from './data';
import { initialLossCheck } from './steps/initial-loss';
import { lrRangeTest } from './steps/lr-range';
import { trainTagged } from './tagged-run';

const seen = vi.hoisted(() => ({ rowsPerRead: [] as number[], wholeLoads: 0 }));
vi.mock('../datasets/split-on-disk', async (orig) => (await import('../datasets/test-support/read-counter')).countingReader(await orig(), seen));
vi.mock('../datasets/pixel-cache', async (orig) => (await import('../datasets/test-support/read-counter')).countingLoader(await orig(), seen));

await tf.setBackend('cpu');

const input = { size: 8, channels: 1 as const, fit: 'squash' as const };
const work = tempWorkspace();
const folders: { cleanup(): void }[] = [];
const ids: Record<'small' | 'big', string> = { small: '', big: '' };

/** Two classes of perClass distinct images each; 60 % of them go to validation so the big one's is over 128 images. */
async function dataset(perClass: number): Promise<string> {
  const d = tempDir('tune-disk');
  folders.push(d);
  for (let i = 0; i < perClass; i++) for (const c of [0, 1]) await put(path.join(d.dir, `class-${c}`, `${i}.png`), await distinct(c, i));
  return (await importDataset(work.ws, { paths: [d.dir], split: { val: 0.6, test: 0, seed: 5 } })).id;
}

beforeAll(async () => {
  ids.small = await dataset(12);
  ids.big = await dataset(120);
}, 60_000);
afterAll(() => {
  work.cleanup();
  folders.forEach((f) => f.cleanup());
});
beforeEach(() => resetReads(seen));

const config = (datasetId: string, over: Partial<TrainConfigInput> = {}) =>
  parseTrainConfig({
    datasetId,
    input,
    model: { kind: 'mlp', hidden: [{ units: 16, dropout: 0 }] },
    optimizer: { name: 'adam', lr: 0.01 },
    epochs: 3,
    batchSize: 8,
    seed: 4,
    earlyStopping: { enabled: false },
    ...over,
  });

const ctxFor = (data: TuneData, cfg: ReturnType<typeof config>): TuneContext => ({
  ws: work.ws,
  id: 'disk',
  tag: 'tune:disk',
  data,
  config: cfg,
  budgets: TuneBudgetsSchema.parse({ rangeIterations: 20, initialBatches: 2 }),
  io: { emit: () => {} },
  backend: 'cpu',
});

const curve = async (ctx: TuneContext) => {
  const run = await trainTagged(ctx, { config: ctx.config, tags: ['step:4'] });
  expect(run.error).toBeNull();
  return run.epochs.map((e) => [e.loss, e.valLoss, e.valAccuracy] as const);
};

describe('tuning trials on a dataset in the decoded cache', () => {
  it('a trial streamed from disk gives the curve of the same trial on the splits in memory (same seed, augmentation on)', async () => {
    const cfg = config(ids.small, { augmentation: { preset: 'standard' } });
    const inMemory: TuneData = {
      train: await loadSplit(work.ws, ids.small, input, 'train'),
      val: await loadSplit(work.ws, ids.small, input, 'val'),
      datasetName: 'small',
      fingerprint: 'small',
    };
    const before = await curve(ctxFor(inMemory, cfg));
    seen.wholeLoads = 0;
    const streamed = await curve(ctxFor(await loadTuneData(work.ws, cfg, undefined, { allowance: 0 }), cfg));
    expect(seen.wholeLoads).toBe(0);
    expect(seen.rowsPerRead.length).toBeGreaterThan(0); // batches came from the decoded cache
    expect(streamed).toHaveLength(3);
    streamed.forEach((epoch, e) => {
      expect(epoch[0]).toBeCloseTo(before[e]![0], 5);
      expect(epoch[1]!).toBeCloseTo(before[e]![1]!, 5);
      expect(epoch[2]).toBe(before[e]![2]);
    });
  }, 60_000);

  it('reads a batch of images per call of the decoded-cache reader whatever the split size, never the whole split', async () => {
    const largest: Record<string, number> = {};
    const sizes: Record<string, { train: number; val: number }> = {};
    for (const which of ['small', 'big'] as const) {
      resetReads(seen);
      const cfg = config(ids[which], { epochs: 1 });
      const data = await loadTuneData(work.ws, cfg, undefined, { allowance: 0 });
      sizes[which] = { train: data.train.n, val: data.val!.n };
      const ctx = ctxFor(data, cfg);
      // Step 1 (a sample of images), step 3 (the LR sweep over the training split), a grid trial (training + validation).
      expect((await initialLossCheck(ctx)).verdict).not.toBeUndefined();
      expect((await lrRangeTest(ctx)).numbers['iterations']).toBe(20);
      await curve(ctx);
      expect(seen.wholeLoads).toBe(0);
      expect(seen.rowsPerRead.length).toBeGreaterThan(0);
      largest[which] = Math.max(...seen.rowsPerRead);
    }
    // The big dataset's validation split alone is over 128 images, its training split over 80: loading either would
    // read it whole. Reads stay at the validation batch (128 images) at most, training batches at 8.
    expect(sizes['big']!.val).toBeGreaterThan(128);
    expect(sizes['big']!.train).toBeGreaterThan(80);
    expect(largest['big']).toBe(128);
    expect(largest['small']).toBeLessThanOrEqual(Math.max(8, sizes['small']!.val));
  }, 90_000);

  it('trials whose splits fit in memory share one load of each split', async () => {
    const cfg = config(ids.small, { epochs: 1 });
    const data = await loadTuneData(work.ws, cfg);
    const ctx = ctxFor(data, cfg);
    await curve(ctx);
    await curve({ ...ctx, config: { ...cfg, optimizer: { ...cfg.optimizer, lr: 0.02 } } });
    expect(seen.wholeLoads).toBe(2); // train and val, once for both trials
    expect(seen.rowsPerRead).toEqual([]); // nothing read batch by batch
  }, 60_000);
});
