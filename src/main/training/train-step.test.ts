// The training step's convolutions: the first convolution's input (the images) gets no gradient computed, and the
// step still learns exactly what tfjs's own layer path computes (fused.conv2d, whose gradient is eager).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../models';
import { parseTrainConfig } from './train-config';
import { TrainStep } from './train-step';

const config = parseTrainConfig({
  datasetId: 'd',
  input: { size: 8, channels: 1 },
  model: { kind: 'cnn', blocks: [{ filters: 4, batchNorm: true }, { filters: 6, batchNorm: true }], headDropout: 0 },
  optimizer: { name: 'sgd', lr: 0.1 },
  epochs: 1,
  batchSize: 5,
  seed: 3,
});

describe('TrainStep convolutions', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes no gradient for the images and learns what the fused layer path learns', async () => {
    const x = tf.tidy(() => tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0], 'int32'), 3).toFloat() as tf.Tensor2D;
    const a = await buildModel(config, 3);
    const b = await buildModel(config, 3);
    b.setWeights(a.getWeights());
    const convs = a.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    expect(convs).toBe(2);

    // The reference: tfjs's own layer calls (fused.conv2d), one SGD step by hand on the same loss.
    const logits = b.layers.find((l) => l.name === 'logits')!;
    const view = tf.model({ inputs: b.inputs, outputs: logits.output as tf.SymbolicTensor });
    const vars = b.trainableWeights.map((w) => w.read() as tf.Variable);
    const ref = tf.profile(() => {
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, view.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      vars.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1))));
      tf.dispose(grads);
    });
    expect((await ref).kernels.map((k) => k.name).filter((k) => k === 'Conv2DBackpropInput').length).toBe(convs);

    const step = new TrainStep(a, config);
    const ours = await tf.profile(async () => {
      await step.run(x, y, 0.1, 0);
    });
    // One backward-data convolution fewer: the first convolution's input needs no gradient.
    expect(ours.kernels.map((k) => k.name).filter((k) => k === 'Conv2DBackpropInput').length).toBe(convs - 1);
    expect(ours.kernels.map((k) => k.name).filter((k) => k === 'Conv2DBackpropFilter').length).toBe(convs);
    const wa = a.trainableWeights.map((w) => w.read().dataSync());
    const wb = b.trainableWeights.map((w) => w.read().dataSync());
    wa.forEach((w, i) => w.forEach((v, k) => expect(v).toBeCloseTo(wb[i]![k]!, 5)));
    // Inference still runs tfjs's own layer call.
    const inference = await tf.profile(() => a.predict(x) as tf.Tensor);
    expect(inference.kernelNames).not.toContain('Conv2D');
    step.dispose();
    tf.dispose([x, y]);
  });
});
