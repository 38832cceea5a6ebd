// Augmentation throughput of the training path (batched tensors) for the standard preset, next to the
// sharp reference path per image. Runs on whatever tfjs backend the caller has selected.
import * as tf from '@tensorflow/tfjs';
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
