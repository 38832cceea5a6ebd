/**
 * Every export is loaded back and run on the same pixels as the lab's model: an export that would
 * predict differently fails here instead of in the user's app. With evaluation data the same runners
 * measure the accuracy a quantised export keeps.
 */
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../shared/dto';
import { normalizationOf } from './preprocessing-doc';

/** Probabilities (n × classes, row-major) for n images given as raw 0…255 pixels (n × size × size × channels). */
export type Runner = (pixels: Float32Array, n: number) => Promise<Float32Array>;

export function tfjsRunner(model: tf.LayersModel, pre: Preprocessing, convention = normalizationOf(pre.normalization)): Runner {
  const { size, channels } = pre.input;
  return async (pixels, n) => {
    const y = tf.tidy(() => {
      const x = tf.tensor4d(pixels, [n, size, size, channels]).mul(convention.scale).add(convention.offset);
      return model.predict(x) as tf.Tensor;
    });
    const out = (await y.data()) as Float32Array;
    y.dispose();
    return out;
  };
}

/** Deterministic pseudo-random pixels (a small LCG: verification must not depend on global RNG state). */
export function randomPixels(n: number, pre: Preprocessing, seed = 12345): Float32Array {
  const { size, channels } = pre.input;
  const out = new Float32Array(n * size * size * channels);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

export async function runBatched(run: Runner, pixels: Float32Array, n: number, perImage: number, batch = 64): Promise<Float32Array[]> {
  const parts: Float32Array[] = [];
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    parts.push(await run(pixels.subarray(i * perImage, (i + m) * perImage), m));
  }
  return parts;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export interface Comparison {
  samples: number;
  maxAbsDiff: number;
  sameTop1: boolean;
  top1Agreement: number;
  accuracyA?: number;
  accuracyB?: number;
}

/** Run both on the same pixels; compare probabilities, top-1, and accuracy when labels are given. */
export async function compareRunners(a: Runner, b: Runner, pixels: Float32Array, n: number, pre: Preprocessing, classes: number, labels?: number[]): Promise<Comparison> {
  const perImage = pre.input.size * pre.input.size * pre.input.channels;
  const pa = await runBatched(a, pixels, n, perImage);
  const pb = await runBatched(b, pixels, n, perImage);
  const ya = new Float32Array(n * classes);
  const yb = new Float32Array(n * classes);
  let off = 0;
  for (const p of pa) {
    ya.set(p, off);
    off += p.length;
  }
  off = 0;
  for (const p of pb) {
    yb.set(p, off);
    off += p.length;
  }
  let maxAbsDiff = 0;
  let agree = 0;
  let correctA = 0;
  let correctB = 0;
  for (let i = 0; i < n; i++) {
    const ra = ya.subarray(i * classes, (i + 1) * classes);
    const rb = yb.subarray(i * classes, (i + 1) * classes);
    for (let k = 0; k < classes; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ra[k] - rb[k]));
    const ta = argmax(ra);
    const tb = argmax(rb);
    if (ta === tb) agree++;
    if (labels) {
      if (ta === labels[i]) correctA++;
      if (tb === labels[i]) correctB++;
    }
  }
  return {
    samples: n,
    maxAbsDiff,
    sameTop1: agree === n,
    top1Agreement: n ? agree / n : 1,
    ...(labels ? { accuracyA: correctA / n, accuracyB: correctB / n } : {}),
  };
}
