/**
 * Runs the TFLite export's float graph with tfjs, one batch at a time. Used to calibrate int8
 * quantisation (the range of every tensor over representative images) and, in tests, to check that
 * conversion kept the model's function before any interpreter is involved.
 */
import * as tf from '@tensorflow/tfjs';
import type { Graph, GraphOp } from './graph';

export interface Range {
  min: number;
  max: number;
}

function fused(y: tf.Tensor, kind: GraphOp['options']['fused']): tf.Tensor {
  if (kind === 'RELU') return tf.relu(y);
  if (kind === 'RELU6') return tf.relu6(y);
  return y;
}

function constant(g: Graph, i: number): tf.Tensor {
  const t = g.tensors[i];
  if (t.int32) return tf.tensor(t.int32, t.shape, 'int32');
  return tf.tensor(t.data as Float32Array, t.shape);
}

function runOp(g: Graph, o: GraphOp, value: (i: number) => tf.Tensor): tf.Tensor {
  const x = value(o.inputs[0]);
  const opt = o.options;
  const pad = (opt.padding === 'VALID' ? 'valid' : 'same') as 'valid' | 'same';
  switch (o.op) {
    case 'CONV_2D': {
      const w = value(o.inputs[1]).transpose([1, 2, 3, 0]) as tf.Tensor4D; // [out,kh,kw,in] → [kh,kw,in,out]
      const y = tf.conv2d(x as tf.Tensor4D, w, opt.stride ?? [1, 1], pad, 'NHWC', opt.dilation ?? [1, 1]).add(value(o.inputs[2]));
      return fused(y, opt.fused);
    }
    case 'DEPTHWISE_CONV_2D': {
      const [, kh, kw] = g.tensors[o.inputs[1]].shape;
      const c = x.shape[3] as number;
      const w = value(o.inputs[1]).reshape([kh, kw, c, opt.depthMultiplier ?? 1]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, w, opt.stride ?? [1, 1], pad, 'NHWC', opt.dilation ?? [1, 1]).add(value(o.inputs[2]));
      return fused(y, opt.fused);
    }
    case 'FULLY_CONNECTED': {
      const w = value(o.inputs[1]) as tf.Tensor2D;
      const y = tf.matMul(x.reshape([x.shape[0], -1]) as tf.Tensor2D, w, false, true).add(value(o.inputs[2]));
      return fused(y, opt.fused);
    }
    case 'MAX_POOL_2D':
      return tf.maxPool(x as tf.Tensor4D, opt.filter ?? [2, 2], opt.stride ?? [2, 2], pad);
    case 'AVERAGE_POOL_2D':
      return tf.avgPool(x as tf.Tensor4D, opt.filter ?? [2, 2], opt.stride ?? [2, 2], pad);
    case 'MEAN':
      return tf.mean(x, [1, 2], opt.keepDims ?? false);
    case 'REDUCE_MAX':
      return tf.max(x, [1, 2], opt.keepDims ?? false);
    case 'ADD':
      return fused(tf.add(x, value(o.inputs[1])), opt.fused);
    case 'SUB':
      return fused(tf.sub(x, value(o.inputs[1])), opt.fused);
    case 'MUL':
      return fused(tf.mul(x, value(o.inputs[1])), opt.fused);
    case 'MAXIMUM':
      return tf.maximum(x, value(o.inputs[1]));
    case 'MINIMUM':
      return tf.minimum(x, value(o.inputs[1]));
    case 'RESHAPE':
      return x.reshape([x.shape[0], ...g.tensors[o.outputs[0]].shape.slice(1)]);
    case 'PAD': {
      const p = g.tensors[o.inputs[1]].int32 as Int32Array;
      return tf.pad(x, [[p[0], p[1]], [p[2], p[3]], [p[4], p[5]], [p[6], p[7]]]);
    }
    case 'CONCATENATION':
      return tf.concat(o.inputs.map(value), opt.axis ?? -1);
    case 'SOFTMAX':
      return tf.softmax(x);
    case 'RELU':
      return tf.relu(x);
    case 'RELU6':
      return tf.relu6(x);
    case 'LOGISTIC':
      return tf.sigmoid(x);
    case 'TANH':
      return tf.tanh(x);
    case 'ELU':
      return tf.elu(x);
    case 'LEAKY_RELU':
      return tf.leakyRelu(x, opt.alpha ?? 0.2);
    default:
      throw new Error(`graph-eval: op ${o.op} cannot be evaluated (lower it first)`);
  }
}

/**
 * Evaluate the graph on a batch x (already normalised, NHWC). With `ranges`, widen each activation
 * tensor's recorded [min, max] by what this batch produced. Returns the graph output.
 */
export function evaluateGraph(g: Graph, x: tf.Tensor4D, ranges?: Map<number, Range>, after?: (tensor: number, value: tf.Tensor) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>([[g.inputs[0], x]]);
    const value = (i: number): tf.Tensor => {
      const v = values.get(i);
      if (v) return v;
      if (!g.isConst(i)) throw new Error(`graph-eval: tensor ${g.tensors[i].name} used before it is computed`);
      const c = constant(g, i);
      values.set(i, c);
      return c;
    };
    const record = (i: number, t: tf.Tensor): void => {
      if (!ranges) return;
      const [lo, hi] = [t.min().dataSync()[0], t.max().dataSync()[0]];
      const r = ranges.get(i);
      ranges.set(i, r ? { min: Math.min(r.min, lo), max: Math.max(r.max, hi) } : { min: lo, max: hi });
    };
    record(g.inputs[0], x);
    for (const o of g.ops) {
      const raw = runOp(g, o, value);
      const y = after ? after(o.outputs[0], raw) : raw;
      values.set(o.outputs[0], y);
      record(o.outputs[0], y);
    }
    return values.get(g.outputs[0]) as tf.Tensor;
  });
}
