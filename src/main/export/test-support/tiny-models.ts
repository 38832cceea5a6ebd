/** Tiny models for the export tests: every layer kind the exporters map, with non-trivial weights. */
import * as tf from '@tensorflow/tfjs';
import { SeedBatchNorm } from '../../models/layers/seed-batch-norm';
import type { Preprocessing } from '../../../shared/dto';

export const PRE8: Preprocessing = { input: { size: 8, channels: 3, fit: 'squash' }, normalization: 'unit', channelOrder: 'RGB', layout: 'NHWC' };

/** Give every weight seeded random values; variances stay positive. */
export function randomizeWeights(model: tf.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    const values = layer.getWeights().map((w, i) => {
      s++;
      const name = layer.weights[i].originalName;
      if (name.endsWith('variance')) return tf.randomUniform(w.shape, 0.5, 2, 'float32', s);
      if (name.endsWith('gamma')) return tf.randomUniform(w.shape, 0.5, 1.5, 'float32', s);
      return tf.randomNormal(w.shape, 0, 0.5, 'float32', s);
    });
    if (values.length) layer.setWeights(values);
    if (layer instanceof tf.LayersModel) randomizeWeights(layer, s * 31);
  }
}

/** Sequential CNN with the seed-exact batch norm, depthwise conv, padding, both poolings, flatten, dropout. */
export function tinyCnn(classes = 3, channels: 1 | 3 = 3): tf.Sequential {
  const m = tf.sequential({ name: 'tiny_cnn' });
  m.add(tf.layers.conv2d({ inputShape: [8, 8, channels], filters: 4, kernelSize: 3, padding: 'same', useBias: false, name: 'conv1' }));
  m.add(new SeedBatchNorm({ name: 'bn1' }));
  m.add(tf.layers.activation({ activation: 'relu', name: 'relu1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'elu', name: 'dw' }));
  m.add(tf.layers.zeroPadding2d({ padding: [[0, 1], [1, 0]], name: 'pad' }));
  m.add(tf.layers.conv2d({ filters: 6, kernelSize: 2, strides: 2, padding: 'same', activation: 'tanh', name: 'conv2' }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'avg' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dropout({ rate: 0.5, name: 'drop' }));
  m.add(tf.layers.dense({ units: 5, activation: 'relu', name: 'fc1' }));
  m.add(tf.layers.batchNormalization({ name: 'bn_fc' }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax', name: 'out' }));
  randomizeWeights(m, 3);
  return m;
}

/** Functional residual model: stride-2 conv, standard BN, ReLU6 layer, Add, global pooling, sigmoid/softmax. */
export function tinyResidual(classes = 4): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'stem' }).apply(input) as tf.SymbolicTensor;
  const b1 = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(c1) as tf.SymbolicTensor;
  const r1 = tf.layers.reLU({ maxValue: 6, name: 'stem_relu6' }).apply(b1) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'sigmoid', name: 'branch' }).apply(r1) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([r1, c2]) as tf.SymbolicTensor;
  const lr = tf.layers.leakyReLU({ alpha: 0.1, name: 'leaky' }).apply(sum) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(lr) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: classes, activation: 'softmax', name: 'head' }).apply(gap) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out, name: 'tiny_residual' });
  randomizeWeights(m, 11);
  return m;
}

/** Colour classifier: mean R, G, B → "red" / "green" / "blue" with large margins (for the example script test). */
export function colourModel(): tf.LayersModel {
  const m = tf.sequential({ name: 'colour' });
  m.add(tf.layers.inputLayer({ inputShape: [8, 8, 3], name: 'image' }));
  m.add(new SeedBatchNorm({ name: 'bn_in' }));
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }));
  m.getLayer('bn_in').setWeights([tf.tensor1d([2, 2, 2]), tf.tensor1d([-1, -1, -1]), tf.tensor1d([0.1, 0.1, 0.1]), tf.tensor1d([0.5, 0.5, 0.5])]);
  m.getLayer('out').setWeights([tf.eye(3).mul(6), tf.zeros([3])]);
  return m;
}
