/**
 * A transfer head trained on cached embeddings needs no gradient with respect to its input: the embeddings are
 * data, the frozen backbone that made them is not trained. tfjs's Dense layer runs fused.matMul, whose gradient
 * computes the input's gradient eagerly all the same (an n × units × dim product per step, as large as the
 * kernel's own gradient). For the head's first weighted layer, a training call here runs the plain matMul and adds
 * the bias (the same forward values), whose gradient tfjs computes only where something needs it.
 */
import * as tf from '@tensorflow/tfjs';

/** The fields of tfjs's Dense layer that its call reads (the typings keep them protected). */
type DenseFields = {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  useBias: boolean;
  activation: { getClassName(): string };
};

const patched = new WeakSet<tf.layers.Layer>();

/** The head's first layer with weights, when it is a Dense layer without activation (the lab's heads); else null. */
function firstDense(head: tf.LayersModel): tf.layers.Layer | null {
  const first = head.layers.find((l) => l.weights.length > 0);
  if (!first || first.getClassName() !== 'Dense') return null;
  return (first as unknown as DenseFields).activation.getClassName() === 'linear' ? first : null;
}

/**
 * Makes the head's first Dense layer skip the gradient of its input in training calls (rank-2 inputs: the
 * embeddings, possibly after dropout). Returns whether it did. Inference calls keep tfjs's own path.
 */
export function skipEmbeddingGradient(head: tf.LayersModel): boolean {
  const layer = firstDense(head);
  if (!layer) return false;
  if (patched.has(layer)) return true;
  patched.add(layer);
  const f = layer as unknown as DenseFields;
  const original = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs?.training !== true || x.rank !== 2) return original(inputs, kwargs);
    const y = tf.matMul(x as tf.Tensor2D, f.kernel.read() as tf.Tensor2D);
    return f.useBias && f.bias ? tf.add(y, f.bias.read()) : y;
  };
  return true;
}
