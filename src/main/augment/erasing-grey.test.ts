import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyParamsBatch } from './batch-path';
import { IDENTITY_PARAMS, type AugmentParams } from './params';
import { augmentWithSharp } from './sharp-path';

const size = 16;
const erase: AugmentParams = { ...IDENTITY_PARAMS, erase: { cx: 0.5, cy: 0.5, w: 0.5, h: 0.5, fill: 'random', noiseSeed: 12345 } };

/** A greyscale picture stored as RGB (as Fashion-MNIST is read at 3 channels): R = G = B everywhere. */
function greyRgb(): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) px[i * 3] = px[i * 3 + 1] = px[i * 3 + 2] = (i * 7) % 256;
  return px;
}

function colourRgb(): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) [px[i * 3], px[i * 3 + 1], px[i * 3 + 2]] = [(i * 7) % 256, 200, 30];
  return px;
}

/** Pixels of the erased square (centre half of the image) that are not grey. */
function colouredPixels(px: ArrayLike<number>): number {
  let n = 0;
  for (let y = size / 4; y < (3 * size) / 4; y++)
    for (let x = size / 4; x < (3 * size) / 4; x++) {
      const i = (y * size + x) * 3;
      if (px[i] !== px[i + 1] || px[i] !== px[i + 2]) n++;
    }
  return n;
}

describe('random erasing on greyscale images', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('paints grey noise on a greyscale image (preview path), colour noise on a colour one', async () => {
    const grey = await augmentWithSharp(greyRgb(), { width: size, height: size, channels: 3 }, erase, size, 3);
    expect(grey).not.toEqual(greyRgb()); // something was erased
    expect(colouredPixels(grey)).toBe(0);
    const colour = await augmentWithSharp(colourRgb(), { width: size, height: size, channels: 3 }, erase, size, 3);
    expect(colouredPixels(colour)).toBeGreaterThan(0);
  });

  it('the training paths (fused loop and tensor ops) paint the same grey noise as the preview', async () => {
    const preview = await augmentWithSharp(greyRgb(), { width: size, height: size, channels: 3 }, erase, size, 3);
    const x = tf.tensor4d(Float32Array.from(greyRgb(), (v) => v / 255), [1, size, size, 3]);
    for (const impl of ['cpu', 'ops'] as const) {
      const out = applyParamsBatch(x, [erase], {}, impl);
      const px = Array.from(out.dataSync(), (v) => Math.round(v * 255));
      out.dispose();
      expect(colouredPixels(px), impl).toBe(0);
      expect(px, impl).toEqual(Array.from(preview));
    }
    x.dispose();
  });
});
