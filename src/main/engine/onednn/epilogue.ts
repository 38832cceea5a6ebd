// What a fused kernel (FusedConv2D, _FusedMatMul) adds after its product, if oneDNN can do it too: a bias over
// the last axis and ReLU. Anything else (other activations, broadcast biases, PReLU) returns null: the caller
// hands the call to the previous kernel.
import type * as tf from '@tensorflow/tfjs';

export interface Epilogue {
  bias: tf.TensorInfo | null;
  relu: boolean;
}

export function epilogueOf(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, fused: boolean, outChannels: number): Epilogue | null {
  if (!fused) return { bias: null, relu: false };
  const activation = (attrs.activation as string | undefined) ?? 'linear';
  const bias = inputs.bias ?? null;
  if (activation !== 'linear' && activation !== 'relu') return null;
  if (bias && !(bias.shape.length === 1 && bias.shape[0] === outChannels)) return null;
  return { bias, relu: activation === 'relu' };
}
