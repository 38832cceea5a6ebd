/**
 * A fixed per-channel affine map in front of a model, y = a·x + b, written as a 1×1 DepthwiseConv2D
 * (a standard layer every tfjs version loads, with no training-mode behaviour, unlike batch norm).
 * It converts between input conventions, e.g. Teachable Machine's pixel/127 − 1 and the lab's pixel/255.
 */
import * as tf from '@tensorflow/tfjs';

export function withInputAffine(model: tf.LayersModel, scale: number, shift: number, name = 'input_adapter'): tf.LayersModel {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const channels = shape[shape.length - 1];
  const input = tf.input({ shape, name: `${name}_input` });
  const adapter = tf.layers.depthwiseConv2d({ kernelSize: 1, depthMultiplier: 1, useBias: true, trainable: false, name });
  const adapted = adapter.apply(input) as tf.SymbolicTensor;
  const output = model.apply(adapted) as tf.SymbolicTensor;
  adapter.setWeights([tf.fill([1, 1, channels, 1], scale), tf.fill([channels], shift)]);
  return tf.model({ inputs: input, outputs: output, name: `${model.name}_adapted` });
}
