// The oneDNN kernels against tfjs's reference CPU kernels: forward and gradients on randomised shapes (batch,
// channels, kernel 1–5, stride 1–2, same/valid, dilation), matrix products with transposes and broadcast
// batches, the fused batch norm against the document's formula, and a few training steps of the lab's own model.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, PEER_ARCHITECTURES } from '../../models';
import { parseTrainConfig } from '../../training/train-config';
import { TrainStep } from '../../training/train-step';
import { fusedBatchNormTraining, hasFusedBatchNorm, hasFusedBatchNormRelu } from '../batch-norm-op';
import { maxRelError, randomArray, seeded } from '../test-util';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnn } from './addon';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';

const native = loadOneDnn();
if (!native.ok) console.warn(`SKIPPED oneDNN kernel tests: ${native.reason}`);

type Inputs = Record<string, { values: Float32Array; shape: number[] }>;

/** Evaluates `f` on tensors made from `inputs`, on the reference CPU backend and on wasm + oneDNN. */
async function both(inputs: Inputs, f: (t: Record<string, tf.Tensor>) => tf.Tensor[]): Promise<{ ref: Float32Array[]; ours: Float32Array[] }> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const outs = tf.tidy(() => {
      const ts: Record<string, tf.Tensor> = {};
      for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape);
      return f(ts);
    });
    const values = await Promise.all(outs.map(async (o) => new Float32Array(await o.data())));
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
    return values;
  };
  return { ref: await run('cpu'), ours: await run('wasm') };
}

function expectClose(ours: Float32Array[], ref: Float32Array[], tol = 1e-4): void {
  expect(ours.length).toBe(ref.length);
  ours.forEach((o, i) => expect(maxRelError(o, ref[i]!)).toBeLessThan(tol));
}

interface ConvCase {
  n: number; h: number; w: number; ci: number; co: number; f: number; stride: number; dilation: number; pad: 'same' | 'valid';
}

function convCases(count: number, seed: number): ConvCase[] {
  const r = seeded(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: count }, () => {
    const stride = pick([1, 2]);
    return {
      n: pick([1, 2, 3]), h: pick([5, 7, 8, 11]), w: pick([4, 6, 9]), ci: pick([1, 3, 4, 8]), co: pick([1, 2, 5, 16]),
      f: pick([1, 2, 3, 5]), stride, dilation: stride === 1 ? pick([1, 1, 2]) : 1, pad: pick(['same', 'valid'] as const),
    };
  }).filter((c) => c.pad === 'same' || (c.h - (c.f - 1) * c.dilation > 0 && c.w - (c.f - 1) * c.dilation > 0));
}

describe.skipIf(!native.ok)('oneDNN kernels match tfjs reference kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    if (native.ok) registerOneDnnKernels(native.addon);
  });
  afterAll(() => unregisterOneDnnKernels());

  const r = seeded(21);
  // 3×3 stride-1 layers with channels in blocks of 16 run on Winograd kernels (on AVX-512 CPUs; conv.cc).
  const winogradCases: ConvCase[] = [
    { n: 3, h: 12, w: 9, ci: 16, co: 32, f: 3, stride: 1, dilation: 1, pad: 'same' },
    { n: 2, h: 10, w: 11, ci: 32, co: 16, f: 3, stride: 1, dilation: 1, pad: 'valid' },
    { n: 5, h: 14, w: 14, ci: 48, co: 64, f: 3, stride: 1, dilation: 1, pad: 'same' },
  ];
  for (const c of [...convCases(28, 5), ...winogradCases]) {
    const label = `${c.n}×${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.f}×${c.f}, stride ${c.stride}, dilation ${c.dilation}, ${c.pad}`;
    it(`Conv2D, FusedConv2D (bias + ReLU) and both gradients: ${label}`, async () => {
      const inputs: Inputs = {
        x: { values: randomArray(r, c.n * c.h * c.w * c.ci), shape: [c.n, c.h, c.w, c.ci] },
        w: { values: randomArray(r, c.f * c.f * c.ci * c.co), shape: [c.f, c.f, c.ci, c.co] },
        b: { values: randomArray(r, c.co), shape: [c.co] },
      };
      const { ref, ours } = await both(inputs, (t) => {
        const conv = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation);
        const y = conv(t.x!, t.w!);
        const fused = tf.fused.conv2d({ x: t.x as tf.Tensor4D, filter: t.w as tf.Tensor4D, strides: c.stride, pad: c.pad, dilations: c.dilation, bias: t.b, activation: 'relu' });
        // A non-uniform upstream gradient, so every position of dy matters.
        const weight = tf.range(1, y.size + 1).reshape(y.shape).div(y.size);
        // tfjs has no gradient for dilated convolutions; those cases check the forward pass.
        if (c.dilation > 1) return [y, fused];
        const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(conv(x, w), weight)))([t.x!, t.w!]);
        return [y, fused, dx!, dw!];
      });
      expectClose(ours, ref);
    });
  }

  const poolCases: [number[], number, number, 'same' | 'valid', boolean][] = [
    [[2, 8, 8, 3], 2, 2, 'valid', false],
    [[1, 7, 9, 4], 3, 2, 'same', false],
    [[3, 6, 5, 2], 3, 1, 'same', false],
    [[2, 9, 9, 16], 2, 2, 'same', false],
    [[2, 6, 6, 3], 2, 2, 'valid', true],
    [[1, 7, 7, 5], 3, 1, 'valid', true],
  ];
  for (const [shape, f, stride, pad, ties] of poolCases) {
    it(`MaxPoolGrad: [${shape}], ${f}×${f}, stride ${stride}, ${pad}${ties ? ', many equal values (first maximum wins)' : ''}`, async () => {
      const size = shape.reduce((p, q) => p * q, 1);
      const values = ties ? Float32Array.from({ length: size }, () => Math.floor(r() * 3)) : randomArray(r, size);
      const { ref, ours } = await both({ x: { values, shape } }, (t) => {
        const pool = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, f, stride, pad);
        const y = pool(t.x!);
        const weight = tf.range(1, y.size + 1).reshape(y.shape);
        return [tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pool(x), weight)))(t.x!)];
      });
      expectClose(ours, ref);
    });
  }

  const matmulCases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [4, 7, 3], false, false],
    [[1, 5, 7], [4, 7, 3], false, false],
    [[4, 7, 5], [1, 3, 7], true, true],
    [[64, 3136], [3136, 128], false, false],
  ];
  for (const [sa, sb, ta, tb] of matmulCases) {
    it(`BatchMatMul and _FusedMatMul (bias + ReLU) with gradients: [${sa}]${ta ? 'ᵀ' : ''} · [${sb}]${tb ? 'ᵀ' : ''}`, async () => {
      const n = tb ? sb[sb.length - 2]! : sb[sb.length - 1]!;
      const inputs: Inputs = {
        a: { values: randomArray(r, sa.reduce((p, q) => p * q, 1)), shape: sa },
        b: { values: randomArray(r, sb.reduce((p, q) => p * q, 1)), shape: sb },
        bias: { values: randomArray(r, n), shape: [n] },
      };
      const { ref, ours } = await both(inputs, (t) => {
        const y = tf.matMul(t.a!, t.b!, ta, tb);
        // tfjs's own gradient does not reduce over a broadcast batch: those cases check the product only.
        if (sa[0] !== sb[0] && sa.length === 3) return [y];
        const [da, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b, ta, tb))))([t.a!, t.b!]);
        const outs = [y, da!, db!];
        if (sa.length === 2) outs.push(tf.fused.matMul({ a: t.a!, b: t.b!, transposeA: ta, transposeB: tb, bias: t.bias, activation: 'relu' }));
        return outs;
      });
      // Sums of up to 3,136 products in a different order: float32 rounding differs by a few 1e-4 at most.
      expectClose(ours, ref, sa[1]! > 1000 ? 1e-3 : 2e-4);
    });
  }

  for (const [shape, relu] of [[8, 5, 5, 3], [64, 14, 14, 32], [16, 128], [2, 7]].flatMap((sh) => [[sh, false], [sh, true]] as const)) {
    it(`fused batch norm${relu ? ' + ReLU' : ''} equals the document's formula${relu ? ' then ReLU' : ''}, forward and gradient: [${shape}]`, async () => {
      const c = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      const inputs: Inputs = {
        x: { values: randomArray(r, size).map((v) => 3 * v + 1), shape },
        gamma: { values: randomArray(r, c), shape: [c] },
        beta: { values: randomArray(r, c), shape: [c] },
        weight: { values: randomArray(r, size), shape },
      };
      const eps = 1e-5;
      const axes = shape.slice(0, -1).map((_, i) => i);
      // The reference: μ_B and biased σ²_B per channel, x̂ = (x − μ_B)/√(σ²_B + ε), y = γ·x̂ + β, with tfjs's autodiff.
      const formula = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, axes);
        const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
        return { y: relu ? tf.relu(y) : y, mean, variance };
      };
      const compute = (t: Record<string, tf.Tensor>, fused: boolean) => {
        const bn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => (fused ? fusedBatchNormTraining(x, g, b, eps, relu)! : formula(x, g, b));
        const { y, mean, variance } = bn(t.x!, t.gamma!, t.beta!);
        const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(bn(x, g, b).y, t.weight!)))([t.x!, t.gamma!, t.beta!]);
        return [y, mean, variance, ...grads];
      };
      await tf.setBackend('wasm');
      expect(hasFusedBatchNorm()).toBe(true);
      expect(hasFusedBatchNormRelu()).toBe(true);
      await tf.setBackend('cpu');
      expect(hasFusedBatchNorm()).toBe(false);
      expect(hasFusedBatchNormRelu()).toBe(false);
      if (relu) {
        // The ReLU must act: some outputs are clipped (else this case would not test the mask).
        const y = await both(inputs, (t) => [compute(t, false)[0]!]);
        expect(y.ref[0]!.filter((v) => v === 0).length).toBeGreaterThan(0);
      }
      const ref = (await both(inputs, (t) => compute(t, false))).ref;
      const ours = (await both(inputs, (t) => compute(t, tf.getBackend() === 'wasm'))).ours;
      expectClose(ours, ref, 2e-4);
    });
  }
});

describe.skipIf(!native.ok)('training the lab model on oneDNN', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
    if (native.ok) registerOneDnnKernels(native.addon);
  });
  afterAll(() => unregisterOneDnnKernels());

  // The peer's `ref` network (conv–BN–ReLU blocks, pooling, dropout, dense–BN–ReLU) at 12×12×1, trained by the
  // trainer's own step (the document's Adam) from the same weights on both paths.
  async function train(backend: string, init: Float32Array[] | null, x: Float32Array, labels: Int32Array) {
    await tf.setBackend(backend);
    const config = parseTrainConfig({
      datasetId: 'test', input: { size: 12, channels: 1 }, model: PEER_ARCHITECTURES.ref,
      optimizer: { name: 'adam', lr: 0.01 }, batchSize: 8, epochs: 1, earlyStopping: { enabled: false },
    });
    const model = await buildModel(config, 3);
    if (init) model.setWeights(init.map((v, i) => tf.tensor(v, model.getWeights()[i]!.shape)));
    const start = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    const step = new TrainStep(model, config);
    const xs = tf.tensor4d(x, [8, 12, 12, 1]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
    const losses: number[] = [];
    await step.run(xs, ys, 0.01, 0);
    const tensorsAfterFirst = tf.memory().numTensors;
    for (let i = 1; i < 5; i++) losses.push((await step.run(xs, ys, 0.01, i)).loss);
    const leaked = tf.memory().numTensors - tensorsAfterFirst;
    const weights = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    tf.dispose([xs, ys]);
    step.optimizer.dispose();
    model.dispose();
    return { start, weights, losses, leaked };
  }

  it('reaches the same weights as the reference kernels, without leaking tensors', async () => {
    const r = seeded(4);
    const x = Float32Array.from({ length: 8 * 12 * 12 }, () => r());
    const labels = Int32Array.from({ length: 8 }, (_, i) => i % 3);
    const ref = await train('cpu', null, x, labels);
    const ours = await train('wasm', ref.start, x, labels);
    expect(ours.leaked).toBe(0);
    expect(ours.losses[3]!).toBeLessThan(ours.losses[0]!);
    ours.weights.forEach((w, i) => {
      expect(maxRelError(w, ref.weights[i]!)).toBeLessThan(2e-3);
      expect(maxRelError(w, ref.start[i]!)).toBeGreaterThan(1e-5);
    });
    // The reference side runs tfjs's pure-JS kernels: ~17 s on a quiet 2-core machine, several times that under load.
  }, 180_000);
});
