// Every native kernel against tfjs's reference CPU kernels on seeded random shapes that change from call to call,
// so the primitive cache builds, reuses and revisits entries: batch 1–70 (batch 1 and partial batches such as 27),
// odd spatial sizes, stride 2 on odd sizes, 1×1 stride-2 shortcuts, channels 1–70, same and valid padding.
// Each family runs for a bounded time (at least MIN_CASES shapes). A native call that fails — including one that
// wrote past the memory it asked for, which the addon's guard zones catch — would be computed by the wasm
// fallback and still match the reference, so every family also asserts that no native call failed.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedBatchNormTraining } from '../batch-norm-op';
import { maxRelError, randomArray, seeded } from '../test-util';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnn } from './addon';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';
import { nativeFailures } from './run-native';

const native = loadOneDnn();
if (!native.ok) console.warn(`SKIPPED randomised oneDNN shape tests: ${native.reason}`);

const BUDGET_MS = 2500;
const MIN_CASES = 10;
const MAX_CASES = 200;
/** Multiply–adds one case may cost on the reference backend (keeps each case around 0.1 s). */
const MAC_BUDGET = 1.5e6;

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
/** Batch sizes a run produces: 1, small, full (32, 64) and partial last batches (27, 70 % 32 …), or any in 1–70. */
const batch = (r: Rand) => (r() < 0.5 ? pick(r, [1, 2, 3, 27, 31, 32, 33, 64, 70]) : int(r, 1, 70));
const channels = (r: Rand) => (r() < 0.5 ? pick(r, [1, 3, 8, 15, 16, 17, 32, 70]) : int(r, 1, 70));
/** Spatial sizes, odd ones twice as likely. */
const spatial = (r: Rand, lo: number) => (r() < 0.67 ? 2 * int(r, Math.ceil((lo - 1) / 2), 8) + 1 : 2 * int(r, Math.ceil(lo / 2), 8));

/** Runs `f` on the reference CPU backend and on wasm + oneDNN; returns both results. */
async function both(inputs: Record<string, { values: Float32Array; shape: number[] }>, f: (t: Record<string, tf.Tensor>) => tf.Tensor[]) {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const outs = tf.tidy(() => {
      const ts: Record<string, tf.Tensor> = {};
      for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape);
      return f(ts);
    });
    const values = await Promise.all(outs.map(async (o) => new Float32Array(await o.data())));
    tf.dispose(outs);
    return values;
  };
  return { ref: await run('cpu'), ours: await run('wasm') };
}

/** A non-uniform upstream gradient for `y`, so every position of dy matters. */
const weightFor = (y: tf.Tensor) => tf.range(1, y.size + 1).reshape(y.shape).div(y.size);

/**
 * Runs the `fixed` cases, then seeded random ones until the time budget is spent (at least MIN_CASES in all);
 * every few cases repeats an earlier shape with new values, so a cached primitive is used again after others
 * were built in between.
 */
async function family<C>(seed: number, make: (r: Rand) => C | null, check: (c: C, r: Rand) => Promise<void>, fixed: C[] = []): Promise<number> {
  const r = seeded(seed);
  const seen: C[] = [];
  const start = Date.now();
  const failuresBefore = nativeFailures().length;
  let n = 0;
  while (n < MAX_CASES && (n < MIN_CASES || n < fixed.length || Date.now() - start < BUDGET_MS)) {
    const c = n < fixed.length ? fixed[n]! : n % 4 === 3 && seen.length > 0 ? pick(r, seen) : make(r);
    if (!c) continue;
    seen.push(c);
    await check(c, r);
    n++;
  }
  expect(nativeFailures().slice(failuresBefore)).toEqual([]);
  return n;
}

interface ConvCase { n: number; h: number; w: number; ci: number; co: number; k: number; stride: number; pad: 'same' | 'valid' }

function convCase(r: Rand): ConvCase | null {
  const shortcut = r() < 0.25; // a ResNet's 1×1 stride-2 projection, on odd and even sizes
  const c: ConvCase = {
    n: batch(r), h: spatial(r, 1), w: spatial(r, 1), ci: channels(r), co: channels(r),
    k: shortcut ? 1 : pick(r, [1, 2, 3, 3, 5]), stride: shortcut ? 2 : pick(r, [1, 2]), pad: shortcut ? 'valid' : pick(r, ['same', 'valid'] as const),
  };
  if (c.pad === 'valid' && (c.h < c.k || c.w < c.k)) return null;
  const macs = () => {
    const oh = c.pad === 'same' ? Math.ceil(c.h / c.stride) : Math.floor((c.h - c.k) / c.stride) + 1;
    const ow = c.pad === 'same' ? Math.ceil(c.w / c.stride) : Math.floor((c.w - c.k) / c.stride) + 1;
    return c.n * oh * ow * c.ci * c.co * c.k * c.k;
  };
  // Shrink the largest of spatial size, channels and batch until the case is cheap enough for the reference.
  while (macs() > MAC_BUDGET) {
    if (c.h * c.w > 25 && c.h >= c.k + 2 && c.w >= c.k + 2) {
      c.h -= 2;
      c.w -= 2;
    } else if (c.ci >= c.co && c.ci > 1) c.ci = Math.ceil(c.ci / 2);
    else if (c.co > 1) c.co = Math.ceil(c.co / 2);
    else c.n = Math.ceil(c.n / 2);
  }
  return c;
}

const label = (c: ConvCase) => `${c.n}×${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k}, stride ${c.stride}, ${c.pad}`;

describe.skipIf(!native.ok)('every native kernel on random shapes matches tfjs reference kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    if (native.ok) registerOneDnnKernels(native.addon);
  });
  afterAll(() => unregisterOneDnnKernels());

  it('Conv2D, FusedConv2D (bias + ReLU), Conv2DBackpropInput and Conv2DBackpropFilter', async () => {
    const covered = { batch1: false, partial: false, oddStride2: false, shortcut: false, wide: false };
    const n = await family(15, convCase, async (c, r) => {
      const x = { values: randomArray(r, c.n * c.h * c.w * c.ci), shape: [c.n, c.h, c.w, c.ci] };
      const w = { values: randomArray(r, c.k * c.k * c.ci * c.co), shape: [c.k, c.k, c.ci, c.co] };
      const b = { values: randomArray(r, c.co), shape: [c.co] };
      const { ref, ours } = await both({ x, w, b }, (t) => {
        const conv = (xx: tf.Tensor, ww: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad);
        const y = conv(t.x!, t.w!);
        const fused = tf.fused.conv2d({ x: t.x as tf.Tensor4D, filter: t.w as tf.Tensor4D, strides: c.stride, pad: c.pad, bias: t.b, activation: 'relu' });
        const weight = weightFor(y);
        const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv(xx, ww), weight)))([t.x!, t.w!]);
        return [y, fused, dx!, dw!];
      });
      ['y', 'fused', 'dx', 'dw'].forEach((what, i) => expect(maxRelError(ours[i]!, ref[i]!), `${what}: ${label(c)}`).toBeLessThan(1e-3));
      covered.batch1 ||= c.n === 1;
      covered.partial ||= c.n % 32 !== 0 && c.n > 32;
      covered.oddStride2 ||= c.stride === 2 && c.h % 2 === 1;
      covered.shortcut ||= c.k === 1 && c.stride === 2 && c.ci < 16;
      covered.wide ||= Math.max(c.ci, c.co) > 48;
    }, <ConvCase[]>[
      // The ResNet-8 (width 8) shortcut on 28×28 Fashion-MNIST with its partial last batch of 27: the shape whose
      // gradient once wrote past oneDNN's scratchpad.
      { n: 27, h: 28, w: 28, ci: 8, co: 16, k: 1, stride: 2, pad: 'valid' },
      { n: 1, h: 7, w: 7, ci: 16, co: 32, k: 1, stride: 2, pad: 'valid' },
      { n: 33, h: 15, w: 13, ci: 3, co: 17, k: 3, stride: 2, pad: 'same' },
      { n: 70, h: 5, w: 5, ci: 70, co: 9, k: 3, stride: 1, pad: 'valid' },
    ]);
    expect(n).toBeGreaterThanOrEqual(MIN_CASES);
    expect(covered).toEqual({ batch1: true, partial: true, oddStride2: true, shortcut: true, wide: true });
  });

  it('DepthwiseConv2dNative and both its gradients (channel multipliers 1–2)', async () => {
    const n = await family(19, (r) => {
      const base = convCase(r);
      if (!base) return null;
      const c: ConvCase & { mult: number } = { ...base, mult: pick(r, [1, 1, 2]) };
      c.k = pick(r, [1, 3, 3, 5]);
      if (c.pad === 'valid' && (c.h < c.k || c.w < c.k)) return null;
      while (c.n * c.h * c.w * c.ci * c.mult * c.k * c.k > MAC_BUDGET) c.ci > 1 ? (c.ci = Math.ceil(c.ci / 2)) : (c.n = Math.ceil(c.n / 2));
      return c;
    }, async (c, r) => {
      const x = { values: randomArray(r, c.n * c.h * c.w * c.ci), shape: [c.n, c.h, c.w, c.ci] };
      const w = { values: randomArray(r, c.k * c.k * c.ci * c.mult), shape: [c.k, c.k, c.ci, c.mult] };
      const { ref, ours } = await both({ x, w }, (t) => {
        const conv = (xx: tf.Tensor, ww: tf.Tensor) => tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad);
        const y = conv(t.x!, t.w!);
        const weight = weightFor(y);
        const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv(xx, ww), weight)))([t.x!, t.w!]);
        return [y, dx!, dw!];
      });
      ['y', 'dx', 'dw'].forEach((what, i) => expect(maxRelError(ours[i]!, ref[i]!), `${what}: ${label(c)} ×${c.mult}`).toBeLessThan(1e-3));
    }, <(ConvCase & { mult: number })[]>[{ n: 27, h: 15, w: 15, ci: 24, co: 24, k: 3, stride: 2, pad: 'same', mult: 1 }]);
    expect(n).toBeGreaterThanOrEqual(MIN_CASES);
  });

  it('BatchMatMul and _FusedMatMul (bias + ReLU) with both gradients, transposed operands and broadcast batches', async () => {
    const n = await family(16, (r) => {
      const rows = batch(r);
      const k = int(r, 1, 70);
      const cols = int(r, 1, 70);
      const b = r() < 0.6 ? 0 : int(r, 1, 4); // 0: a dense layer's 2-D product
      return { rows: Math.min(rows, Math.floor(MAC_BUDGET / (k * cols * Math.max(1, b)))), k, cols, b, ta: r() < 0.3, tb: r() < 0.3, broadcast: b > 1 && r() < 0.3 };
    }, async (c, r) => {
      const lead = c.b === 0 ? [] : [c.b];
      const sa = [...(c.broadcast ? [1] : lead), ...(c.ta ? [c.k, c.rows] : [c.rows, c.k])];
      const sb = [...lead, ...(c.tb ? [c.cols, c.k] : [c.k, c.cols])];
      const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
      const inputs = {
        a: { values: randomArray(r, size(sa)), shape: sa },
        b: { values: randomArray(r, size(sb)), shape: sb },
        bias: { values: randomArray(r, c.cols), shape: [c.cols] },
      };
      const { ref, ours } = await both(inputs, (t) => {
        const y = tf.matMul(t.a!, t.b!, c.ta, c.tb);
        const fused = tf.fused.matMul({ a: t.a!, b: t.b!, transposeA: c.ta, transposeB: c.tb, bias: t.bias, activation: 'relu' });
        // tfjs's own gradient does not reduce over a broadcast batch: those cases check the products only.
        if (c.broadcast) return [y, fused];
        const weight = weightFor(y);
        const [da, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, c.ta, c.tb), weight)))([t.a!, t.b!]);
        return [y, fused, da!, db!];
      });
      ours.forEach((o, i) => expect(maxRelError(o, ref[i]!), `output ${i}: [${sa}]${c.ta ? 'ᵀ' : ''} · [${sb}]${c.tb ? 'ᵀ' : ''}`).toBeLessThan(1e-3));
    });
    expect(n).toBeGreaterThanOrEqual(MIN_CASES);
  });

  it('MaxPool, MaxPoolGrad and Relu on odd sizes, strides 1–2, same and valid', async () => {
    const covered = { tiled: false, overlapping: false, ragged: false };
    const n = await family(17, (r) => {
      const c = { n: batch(r), h: spatial(r, 2), w: spatial(r, 2), ch: channels(r), f: pick(r, [2, 3]), stride: pick(r, [1, 2]), pad: pick(r, ['same', 'valid'] as const) };
      while (c.n * c.h * c.w * c.ch * c.f * c.f > MAC_BUDGET) c.ch > 1 ? (c.ch = Math.ceil(c.ch / 2)) : (c.n = Math.ceil(c.n / 2));
      return c;
    }, async (c, r) => {
      const shape = [c.n, c.h, c.w, c.ch];
      const size = shape.reduce((p, q) => p * q, 1);
      // Half the cases with many equal values: the first maximum of a window must win, as in tfjs.
      const values = r() < 0.5 ? Float32Array.from({ length: size }, () => Math.floor(r() * 3)) : randomArray(r, size);
      const { ref, ours } = await both({ x: { values, shape } }, (t) => {
        const pool = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, c.f, c.stride, c.pad);
        const y = pool(t.x!);
        const weight = weightFor(y);
        return [tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pool(x), weight)))(t.x!), y, tf.relu(tf.sub(t.x!, 1))];
      });
      ['dx', 'y', 'relu'].forEach((what, i) => expect(maxRelError(ours[i]!, ref[i]!), `${what}: [${shape}], ${c.f}×${c.f}, stride ${c.stride}, ${c.pad}`).toBeLessThan(1e-5));
      // The gradient's one-pass path (windows tiling the image), with and without leftover rows, and the general one.
      const tiled = c.f === c.stride && c.pad === 'valid';
      covered.tiled ||= tiled && c.h % c.f === 0 && c.w % c.f === 0;
      covered.ragged ||= tiled && (c.h % c.f !== 0 || c.w % c.f !== 0);
      covered.overlapping ||= !tiled;
    }, [
      { n: 64, h: 28, w: 28, ch: 16, f: 2, stride: 2, pad: 'valid' as const },
      { n: 27, h: 7, w: 9, ch: 3, f: 2, stride: 2, pad: 'valid' as const },
      { n: 5, h: 9, w: 9, ch: 17, f: 3, stride: 2, pad: 'same' as const },
    ]);
    expect(n).toBeGreaterThanOrEqual(MIN_CASES);
    expect(covered).toEqual({ tiled: true, ragged: true, overlapping: true });
  });

  it("fused batch norm (forward, statistics and all three gradients) equals the document's formula", async () => {
    const eps = 1e-3;
    const n = await family(18, (r) => {
      const dense = r() < 0.3;
      const shape = dense ? [batch(r), channels(r)] : [batch(r), spatial(r, 1), spatial(r, 1), channels(r)];
      while (shape.reduce((p, q) => p * q, 1) > MAC_BUDGET / 10) shape[shape.length - 1] = Math.ceil(shape[shape.length - 1]! / 2);
      return shape;
    }, async (shape, r) => {
      const ch = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      const inputs = {
        x: { values: randomArray(r, size).map((v) => 3 * v + 1), shape },
        gamma: { values: randomArray(r, ch), shape: [ch] },
        beta: { values: randomArray(r, ch), shape: [ch] },
        weight: { values: randomArray(r, size), shape },
      };
      const axes = shape.slice(0, -1).map((_, i) => i);
      const formula = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, axes);
        return { y: tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b), mean, variance };
      };
      const compute = (t: Record<string, tf.Tensor>) => {
        const bn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => (tf.getBackend() === 'wasm' ? fusedBatchNormTraining(x, g, b, eps)! : formula(x, g, b));
        const { y, mean, variance } = bn(t.x!, t.gamma!, t.beta!);
        const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(bn(x, g, b).y, t.weight!)))([t.x!, t.gamma!, t.beta!]);
        return [y, mean, variance, ...grads];
      };
      const { ref, ours } = await both(inputs, compute);
      ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'].forEach((what, i) => expect(maxRelError(ours[i]!, ref[i]!), `${what}: [${shape}]`).toBeLessThan(1e-3));
    });
    expect(n).toBeGreaterThanOrEqual(MIN_CASES);
  });
});
