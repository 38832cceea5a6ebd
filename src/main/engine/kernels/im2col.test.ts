import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomArray, seeded } from '../test-util';
import { geometryOf } from './conv-geometry';
import { im2col } from './im2col';
import { im2colT } from './im2col-t';

// im2col rows times the filter must be tfjs's convolution; im2colT must be exactly im2col transposed.
describe('im2col / im2colT', () => {
  const r = seeded(3);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cases = Array.from({ length: 16 }, () => ({
    n: pick([1, 2]),
    h: pick([5, 8]),
    w: pick([4, 7]),
    ci: pick([1, 3, 4]),
    f: pick([1, 2, 3]),
    stride: pick([1, 2]),
    dilation: pick([1, 2]),
    pad: pick(['same', 'valid'] as const),
  }));
  it.each(cases)('%o', async (c) => {
    if (c.stride > 1 && c.dilation > 1) return; // tfjs rejects this combination
    await tf.setBackend('cpu');
    const co = 3;
    const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.f, c.f, c.ci, co], c.stride, c.dilation, c.pad);
    const g = geometryOf(info);
    if (g.outHeight * g.outWidth === 0) return;
    const x = randomArray(r, c.n * c.h * c.w * c.ci);
    const w = randomArray(r, c.f * c.f * c.ci * co);
    const K = c.f * c.f * c.ci;
    const M = c.n * g.outHeight * g.outWidth;
    const rows = new Float32Array(M * K);
    im2col(x, g, 0, c.n, rows);
    const ours = tf.matMul(tf.tensor2d(rows, [M, K]), tf.tensor2d(w, [K, co])).dataSync();
    const ref = tf
      .conv2d(tf.tensor4d(x, [c.n, c.h, c.w, c.ci]), tf.tensor4d(w, [c.f, c.f, c.ci, co]), c.stride, c.pad, 'NHWC', c.dilation)
      .dataSync();
    for (let i = 0; i < ref.length; i++) expect(ours[i]).toBeCloseTo(ref[i]!, 4);
    const rowsT = new Float32Array(M * K).fill(NaN);
    im2colT(x, g, 0, c.n, rowsT);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) expect(rowsT[k * M + m]).toBe(rows[m * K + k]);
  });
});
