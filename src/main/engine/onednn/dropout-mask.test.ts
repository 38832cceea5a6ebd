// Dropout masks: the native kernel equals the JS loop bit for bit (any backend gives the same mask for a seed),
// keeps about 1 − rate of the values scaled by 1/(1 − rate), and a training step's Dropout layers use it (one
// mask kernel, no per-value JS draws) while inference leaves the input untouched.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../models';
import { parseTrainConfig } from '../../training/train-config';
import { TrainStep } from '../../training/train-step';
import { dropoutMask, dropoutMaskValues, hasNativeDropoutMask, keepScale } from '../dropout-op';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnn } from './addon';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';

const native = loadOneDnn();
const fused = native.ok && typeof native.addon.dropoutMask === 'function';
if (!fused) console.warn(`SKIPPED native dropout mask tests: ${native.ok ? 'the addon was built before dropoutMask' : native.reason}`);

describe('dropout masks from a seed (JS reference)', () => {
  it('keep about 1 − rate of the values, scaled by 1/(1 − rate); a seed gives one mask, another seed another', () => {
    for (const rate of [0.1, 0.5, 0.8]) {
      const m = dropoutMaskValues(100_000, rate, 0.37);
      const kept = m.filter((v) => v !== 0);
      expect(Math.abs(kept.length / m.length - (1 - rate))).toBeLessThan(0.01);
      expect(new Set(kept)).toEqual(new Set([keepScale(rate)]));
      expect(dropoutMaskValues(1000, rate, 0.37)).toEqual(m.subarray(0, 1000));
      expect(dropoutMaskValues(1000, rate, 0.38)).not.toEqual(m.subarray(0, 1000));
    }
  });
});

describe.skipIf(!fused)('native dropout masks', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    if (native.ok) registerOneDnnKernels(native.addon);
  });
  afterAll(() => unregisterOneDnnKernels());

  it.each([[[1], 0.5, 0.001], [[7, 3], 0.25, 0.5], [[64, 1568], 0.5, 0.999], [[70, 3136], 0.3, 0.123456]] as const)(
    'shape %j, rate %d, seed %d: equal to the JS loop bit for bit',
    (shape, rate, seed) => {
      expect(hasNativeDropoutMask()).toBe(true);
      const t = dropoutMask([...shape], rate, seed);
      expect(t.shape).toEqual([...shape]);
      expect(t.dataSync()).toEqual(dropoutMaskValues(t.size, rate, seed));
      t.dispose();
    },
  );

  it('a training step runs its Dropout layers on the mask kernel; inference is the identity', async () => {
    const config = parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'cnn', blocks: [{ filters: 4 }], headDropout: 0.5 }, epochs: 1, batchSize: 8, seed: 5 });
    const model = await buildModel(config, 3);
    const step = new TrainStep(model, config);
    const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const info = await tf.profile(async () => {
      await step.run(x, y, 1e-3, 11);
    });
    expect(info.kernelNames).toContain('LabDropoutMask');
    // The dropout layer's own output: x·mask in training, x itself at inference.
    const layer = model.layers.find((l) => l.getClassName() === 'Dropout')!;
    const input = tf.randomUniform([4, 16], 0, 1, 'float32', 2);
    (layer as unknown as { seed: number }).seed = 0.25;
    const train = layer.apply(input, { training: true }) as tf.Tensor;
    const mask = dropoutMaskValues(input.size, 0.5, 0.25);
    const expected = Array.from(input.dataSync(), (v, i) => Math.fround(v * mask[i]!));
    expect(Array.from(train.dataSync())).toEqual(expected);
    const infer = layer.apply(input, { training: false }) as tf.Tensor;
    expect(infer.dataSync()).toEqual(input.dataSync());
    tf.dispose([x, y, input, train, infer]);
    step.dispose();
    step.optimizer.dispose();
    model.dispose();
  });
});
