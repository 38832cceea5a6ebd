/** The shared optimizer rules (src/shared/optim/rules.ts) evaluated on tfjs tensors (float32). */
import * as tf from '@tensorflow/tfjs';
import type { Arith } from '../../shared/optim/rules';

export const tensorArith: Arith<tf.Tensor> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  sqrt: (a) => tf.sqrt(a),
  square: (a) => tf.square(a),
  scale: (a, s) => tf.mul(a, tf.scalar(s)),
  addScalar: (a, s) => tf.add(a, tf.scalar(s)),
  zerosLike: (a) => tf.zerosLike(a),
};
