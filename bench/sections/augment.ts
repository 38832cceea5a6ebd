// Augmentation throughput of the training path (batched) for the standard preset, next to the training step it
// feeds (the `bench` CNN, same batch size, same backend) and the sharp reference path per image. The bar:
// augmentation at least 2× faster than the step. `benchAugment()` measures on whatever backend is active.
// Flags: --input 32x32x3,64x64x3 --approaches wasm,cpu-fast --budget S (seconds per measurement, default 3)
import * as tf from '@tensorflow/tfjs';
import { APPROACHES } from '../lib/approaches';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';
import { measureLab } from './training';
import { resolveAugment } from '../../src/shared/augment-config';
import { createBatchAugmenter } from '../../src/main/augment/batch-path';
import { drawParams } from '../../src/main/augment/params';
import { Rng } from '../../src/main/augment/prng';
import { augmentWithSharp } from '../../src/main/augment/sharp-path';

export interface AugmentBenchOptions {
  size?: number;
  channels?: 1 | 3;
  batchSize?: number;
  /** Seconds to measure each path. */
  seconds?: number;
}

export interface AugmentBenchResult {
  /** Training path, standard preset: augmented images per second. */
  imagesPerS: number;
  /** sharp reference path, one image per call (what previews and written copies use). */
  sharpImagesPerS: number;
  backend: string;
  size: number;
  channels: 1 | 3;
  batchSize: number;
}

export async function benchAugment(opts: AugmentBenchOptions = {}): Promise<AugmentBenchResult> {
  const size = opts.size ?? 32;
  const channels = opts.channels ?? 3;
  const batchSize = opts.batchSize ?? 32;
  const seconds = opts.seconds ?? 2;
  await tf.ready();
  const aug = createBatchAugmenter({ preset: 'standard' }, { size, channels, fit: 'squash' }, 42);
  if (!aug) throw new Error('standard preset produced no augmenter');
  const rng = new Rng(1);
  const pixels = Float32Array.from({ length: batchSize * size * size * channels }, () => rng.next());
  const x = tf.tensor4d(pixels, [batchSize, size, size, channels]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batchSize }, (_, i) => i % 10), 'int32'), 10) as tf.Tensor2D;

  const runBatch = async (b: number) => {
    const imageIds = Int32Array.from({ length: batchSize }, (_, i) => b * batchSize + i);
    const out = aug.apply(x, y, { epoch: 0, imageIds });
    await out.x.data(); // wait for the work, as the training step would
    out.x.dispose();
    out.y.dispose();
  };
  await runBatch(0); // warm-up (kernel probes, first-call compilation)
  let images = 0;
  let b = 1;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await runBatch(b++);
    images += batchSize;
  }
  const imagesPerS = images / ((performance.now() - t0) / 1000);
  tf.dispose([x, y]);

  const resolved = resolveAugment({ preset: 'standard' });
  const one = Uint8Array.from({ length: size * size * channels }, () => Math.floor(rng.next() * 256));
  let sharpImages = 0;
  const t1 = performance.now();
  while (performance.now() - t1 < seconds * 1000) {
    await augmentWithSharp(one, { width: size, height: size, channels }, drawParams(resolved, 42, 0, sharpImages), size, channels);
    sharpImages++;
  }
  const sharpImagesPerS = sharpImages / ((performance.now() - t1) / 1000);
  return { imagesPerS, sharpImagesPerS, backend: tf.getBackend(), size, channels, batchSize };
}

function parseInput(s: string): { size: number; channels: 1 | 3 } {
  const m = /^(\d+)x\1x(1|3)$/.exec(s);
  if (!m) throw new Error(`--input ${s}: expected SxSxC with C 1 or 3, e.g. 32x32x3`);
  return { size: Number(m[1]), channels: Number(m[2]) as 1 | 3 };
}

const BATCH = 64;

export const section: BenchSection = {
  name: 'augment',
  description: 'standard preset, training path (batched) vs the training step it feeds (bench CNN), and sharp per image',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const f = ctx.args.flags;
    const inputs = (f.input ?? '32x32x3,64x64x3').split(',').map((s) => parseInput(s.trim()));
    const wanted = f.approaches ? f.approaches.split(',') : null;
    const budget = Number(f.budget ?? 3);
    const rows: Row[] = [];
    const json: Record<string, unknown>[] = [];
    for (const approach of APPROACHES.filter((a) => (wanted ? wanted.includes(a.name) : !a.optIn))) {
      await approach.activate();
      for (const { size, channels } of inputs) {
        const aug = await benchAugment({ size, channels, batchSize: BATCH, seconds: budget });
        const step = await measureLab({ arch: 'bench', size, channels }, 5, 1, false, budget * 3);
        const ratio = aug.imagesPerS / step.imagesPerS;
        const r = {
          approach: approach.name,
          input: `${size}x${size}x${channels}`,
          augmentImagesPerS: Math.round(aug.imagesPerS),
          trainStepImagesPerS: Math.round(step.imagesPerS),
          ratio: Number(ratio.toFixed(1)),
          atLeast2x: ratio >= 2 ? 'yes' : 'NO',
          sharpImagesPerS: Math.round(aug.sharpImagesPerS),
        };
        rows.push(r);
        json.push(r);
        ctx.log(`  ${r.approach} ${r.input}: augment ${r.augmentImagesPerS}/s, step ${r.trainStepImagesPerS}/s (×${r.ratio})`);
      }
    }
    return { rows, json };
  },
};
