/**
 * A tf.LayersModel (standard layers only: run standardizeSnapshot first) → the TFLite export's graph,
 * batch size 1, NHWC throughout (as tfjs and TFLite both are, so Flatten and Dense need no transposes).
 * Batch norm becomes a per-channel affine op that `optimizeGraph` folds into the convolution or dense
 * layer before it; ReLU/ReLU6 become fused activations. Anything TFLite's builtin ops cannot express
 * is refused with the layer's name and what to change.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { msg } from '../../../shared/messages';
import { walkContainer } from '../walk-layers';
import { Graph, outputChannelAxis, type GraphOp } from './graph';

type Config = Record<string, unknown>;
const SUPPORTED = 'Conv2D, DepthwiseConv2D, SeparableConv2D, Dense, BatchNormalization, Activation (relu, relu6, elu, selu, sigmoid, tanh, softmax, linear), ReLU, LeakyReLU, ELU, Softmax, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Reshape-free Dropout, ZeroPadding2D, Add, Subtract, Multiply, Maximum, Minimum, Average, Concatenate, Rescaling';

function fail(layer: tf.layers.Layer, why: string): never {
  throw new LabError('EXPORT_FAILED', msg('deploy.tflite.layer', { layer: layer.name, className: layer.getClassName(), why, supported: SUPPORTED }), { layer: layer.name, className: layer.getClassName() });
}

function pair(v: unknown, fallback: number): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[1] ?? a[0]];
}

function weight(layer: tf.layers.Layer, suffix: string): { values: Float32Array; shape: number[] } {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`) || v.originalName === suffix);
  if (!w) fail(layer, `has no "${suffix}" weight`);
  return { values: Float32Array.from(w.read().dataSync() as Float32Array), shape: [...w.shape] as number[] };
}

function permute(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  return tf.tidy(() => Float32Array.from(tf.transpose(tf.tensor(values, shape), perm).dataSync() as Float32Array));
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

class Converter {
  constructor(readonly g: Graph) {}

  scalar(name: string, v: number): number {
    return this.g.tensor(name, [1], Float32Array.of(v));
  }

  activation(x: number, kind: string, name: string, layer: tf.layers.Layer): number {
    const g = this.g;
    const shape = g.tensors[x].shape;
    switch (kind) {
      case 'linear':
        return x;
      case 'relu':
        return g.add('RELU', [x], `${name}/relu`, shape);
      case 'relu6':
        return g.add('RELU6', [x], `${name}/relu6`, shape);
      case 'sigmoid':
        return g.add('LOGISTIC', [x], `${name}/sigmoid`, shape);
      case 'tanh':
        return g.add('TANH', [x], `${name}/tanh`, shape);
      case 'elu':
        return g.add('ELU', [x], `${name}/elu`, shape);
      case 'selu': {
        // selu(x) = λ·max(x, 0) + λα·min(elu(x), 0)
        const neg = g.add('MINIMUM', [g.add('ELU', [x], `${name}/elu`, shape), this.scalar(`${name}/zero`, 0)], `${name}/neg`, shape);
        const pos = g.add('RELU', [x], `${name}/pos`, shape);
        const a = g.add('MUL', [pos, this.scalar(`${name}/scale`, SELU_SCALE)], `${name}/pos_scaled`, shape);
        const b = g.add('MUL', [neg, this.scalar(`${name}/scale_alpha`, SELU_SCALE * SELU_ALPHA)], `${name}/neg_scaled`, shape);
        return g.add('ADD', [a, b], `${name}/selu`, shape);
      }
      case 'softmax':
        if (shape.length !== 2) fail(layer, 'applies softmax to a tensor that is not [batch, classes]');
        return g.add('SOFTMAX', [x], `${name}/softmax`, shape, { alpha: 1 });
      default:
        return fail(layer, `uses activation "${kind}", which has no TFLite builtin here`);
    }
  }

  container(model: tf.LayersModel, inputs: number[]): number[] {
    return walkContainer(model, inputs, {
      layer: (layer, values) => this.layer(layer, values),
      unreachable: (name, layers) => msg('deploy.tflite.unreachable', { model: name, layers }),
      outputMissing: (name, output) => msg('deploy.tflite.outputMissing', { output, model: name }),
    });
  }

  layer(layer: tf.layers.Layer, inputs: number[]): number[] {
    if (layer instanceof tf.LayersModel) return this.container(layer, inputs);
    const g = this.g;
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Config;
    const name = layer.name;
    const x = inputs[0];
    const inShape = g.tensors[x].shape;
    const batchless = (s: number[]): (number | null)[] => [null, ...s.slice(1)];
    const computed = layer.computeOutputShape(inputs.length === 1 ? batchless(inShape) : inputs.map((i) => batchless(g.tensors[i].shape))) as (number | null)[];
    const outShape = computed.map((d, i) => (i === 0 ? 1 : d));
    if (outShape.some((d) => d == null)) fail(layer, 'has an unknown dimension; the TFLite export needs a fixed input size');
    const out = outShape as number[];
    if (cfg.dataFormat != null && cfg.dataFormat !== 'channelsLast' && cfg.dataFormat !== 'channels_last') fail(layer, 'is channels_first; only channels_last models are supported');

    switch (cls) {
      case 'InputLayer':
      case 'Dropout':
      case 'SpatialDropout1D':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
        return [x];
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'SeparableConv2D': {
        if (inShape.length !== 4) fail(layer, 'needs a 4-D image input');
        const padding = String(cfg.padding).toUpperCase();
        if (padding !== 'SAME' && padding !== 'VALID') fail(layer, `uses padding "${String(cfg.padding)}"`);
        const k = pair(cfg.kernelSize, 1);
        const opts = { padding: padding as 'SAME' | 'VALID', stride: pair(cfg.strides, 1), dilation: pair(cfg.dilationRate, 1) };
        const inC = inShape[3];
        let y: number;
        if (cls === 'Conv2D') {
          const kernel = weight(layer, 'kernel');
          const outC = cfg.filters as number;
          const w = g.tensor(`${name}/kernel`, [outC, k[0], k[1], inC], permute(kernel.values, kernel.shape, [3, 0, 1, 2]));
          const b = g.tensor(`${name}/bias`, [outC], cfg.useBias ? weight(layer, 'bias').values : new Float32Array(outC));
          y = g.add('CONV_2D', [x, w, b], `${name}/conv`, out, opts);
        } else {
          const mult = (cfg.depthMultiplier as number) ?? 1;
          const dk = weight(layer, 'depthwise_kernel'); // [kh, kw, in, mult] is [1, kh, kw, in·mult] in memory
          const w = g.tensor(`${name}/depthwise_kernel`, [1, k[0], k[1], inC * mult], dk.values);
          const hasBias = cls === 'DepthwiseConv2D' && Boolean(cfg.useBias);
          const b = g.tensor(`${name}/depthwise_bias`, [inC * mult], hasBias ? weight(layer, 'bias').values : new Float32Array(inC * mult));
          const dwShape = cls === 'DepthwiseConv2D' ? out : [out[0], out[1], out[2], inC * mult];
          y = g.add('DEPTHWISE_CONV_2D', [x, w, b], `${name}/depthwise`, dwShape, { ...opts, depthMultiplier: mult });
          if (cls === 'SeparableConv2D') {
            const outC = cfg.filters as number;
            const pk = weight(layer, 'pointwise_kernel');
            const pw = g.tensor(`${name}/pointwise_kernel`, [outC, 1, 1, inC * mult], permute(pk.values, pk.shape, [3, 0, 1, 2]));
            const pb = g.tensor(`${name}/bias`, [outC], cfg.useBias ? weight(layer, 'bias').values : new Float32Array(outC));
            y = g.add('CONV_2D', [y, pw, pb], `${name}/pointwise`, out, { padding: 'VALID', stride: [1, 1], dilation: [1, 1] });
          }
        }
        return [this.activation(y, String(cfg.activation ?? 'linear'), name, layer)];
      }
      case 'Dense': {
        if (inShape.length !== 2) fail(layer, `is applied to a rank-${inShape.length} tensor; put Flatten or global pooling before it`);
        const units = cfg.units as number;
        const kernel = weight(layer, 'kernel');
        const w = g.tensor(`${name}/kernel`, [units, inShape[1]], permute(kernel.values, kernel.shape, [1, 0]));
        const b = g.tensor(`${name}/bias`, [units], cfg.useBias ? weight(layer, 'bias').values : new Float32Array(units));
        const y = g.add('FULLY_CONNECTED', [x, w, b], `${name}/dense`, out);
        return [this.activation(y, String(cfg.activation ?? 'linear'), name, layer)];
      }
      case 'BatchNormalization': {
        const axis = cfg.axis as number;
        if (axis !== -1 && axis !== inShape.length - 1) fail(layer, `normalises axis ${axis}; only the channel (last) axis is supported`);
        const eps = cfg.epsilon as number;
        const mean = weight(layer, 'moving_mean').values;
        const variance = weight(layer, 'moving_variance').values;
        const gamma = cfg.scale === false ? null : weight(layer, 'gamma').values;
        const beta = cfg.center === false ? null : weight(layer, 'beta').values;
        const c = mean.length;
        const scale = new Float32Array(c);
        const shift = new Float32Array(c);
        for (let i = 0; i < c; i++) {
          scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
          shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
        }
        const y = g.tensor(`${name}/batchnorm`, out);
        g.ops.push({ op: 'AFFINE', inputs: [x], outputs: [y], options: {}, affine: { scale, shift } });
        return [y];
      }
      case 'Activation':
        return [this.activation(x, String(cfg.activation), name, layer)];
      case 'ReLU': {
        const max = cfg.maxValue as number | null | undefined;
        if (max == null) return [g.add('RELU', [x], `${name}/relu`, out)];
        if (max === 6) return [g.add('RELU6', [x], `${name}/relu6`, out)];
        return [g.add('MINIMUM', [g.add('RELU', [x], `${name}/relu`, out), this.scalar(`${name}/max`, max)], `${name}/clip`, out)];
      }
      case 'LeakyReLU':
        return [g.add('LEAKY_RELU', [x], `${name}/leaky_relu`, out, { alpha: (cfg.alpha as number) ?? 0.3 })];
      case 'ELU':
        if (((cfg.alpha as number) ?? 1) !== 1) fail(layer, 'has alpha ≠ 1; TFLite\'s ELU has alpha 1');
        return [g.add('ELU', [x], `${name}/elu`, out)];
      case 'Softmax': {
        const axis = (cfg.axis as number) ?? -1;
        if (axis !== -1 && axis !== inShape.length - 1) fail(layer, `applies softmax on axis ${axis}; only the last axis is supported`);
        return [this.activation(x, 'softmax', name, layer)];
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const k = pair(cfg.poolSize, 2);
        const s = cfg.strides == null ? k : pair(cfg.strides, 1);
        const padding = String(cfg.padding).toUpperCase() as 'SAME' | 'VALID';
        return [g.add(cls === 'MaxPooling2D' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', [x], `${name}/pool`, out, { padding, stride: s, filter: k })];
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        if (inShape.length !== 4) fail(layer, 'needs a 4-D image input');
        if (cfg.keepDims === true) fail(layer, 'keeps dims; not supported');
        const axes = g.int32(`${name}/axes`, [1, 2]);
        return [g.add(cls === 'GlobalAveragePooling2D' ? 'MEAN' : 'REDUCE_MAX', [x, axes], `${name}/pool`, out, { keepDims: false })];
      }
      case 'Flatten': {
        if (inShape.length === 2) return [x];
        return [g.add('RESHAPE', [x, g.int32(`${name}/shape`, out)], `${name}/flatten`, out, { newShape: out })];
      }
      case 'ZeroPadding2D': {
        const p = cfg.padding as number | number[] | number[][];
        const [[t, b], [l, r]] = typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray(p[0]) ? (p as number[][]) : [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]];
        return [g.add('PAD', [x, g.int32(`${name}/paddings`, [0, 0, t, b, l, r, 0, 0], [4, 2])], `${name}/pad`, out)];
      }
      case 'Add':
      case 'Multiply':
      case 'Maximum':
      case 'Minimum':
      case 'Average': {
        if (inputs.some((i) => g.tensors[i].shape.join() !== inShape.join())) fail(layer, 'merges tensors of different shapes');
        const op = ({ Add: 'ADD', Average: 'ADD', Multiply: 'MUL', Maximum: 'MAXIMUM', Minimum: 'MINIMUM' } as const)[cls];
        let acc = x;
        for (const v of inputs.slice(1)) acc = g.add(op, [acc, v], `${name}/${op.toLowerCase()}`, out);
        if (cls === 'Average') acc = g.add('MUL', [acc, this.scalar(`${name}/inv_n`, 1 / inputs.length)], `${name}/mean`, out);
        return [acc];
      }
      case 'Subtract':
        return [g.add('SUB', [x, inputs[1]], `${name}/sub`, out)];
      case 'Concatenate': {
        const axis = (cfg.axis as number) ?? -1;
        if (axis !== -1 && axis !== inShape.length - 1) fail(layer, `concatenates on axis ${axis}; only the channel (last) axis is supported`);
        return [g.add('CONCATENATION', inputs, `${name}/concat`, out, { axis: inShape.length - 1 })];
      }
      case 'Rescaling': {
        const mul = g.add('MUL', [x, this.scalar(`${name}/scale`, cfg.scale as number)], `${name}/mul`, out);
        return [g.add('ADD', [mul, this.scalar(`${name}/offset`, (cfg.offset as number) ?? 0)], `${name}/add`, out)];
      }
      default:
        return fail(layer, 'has no TFLite mapping');
    }
  }
}

function producerOf(g: Graph, tensor: number): GraphOp | undefined {
  return g.ops.find((o) => o.outputs.includes(tensor));
}

const FOLDS_AFFINE = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);
const FUSES_ACTIVATION = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'SUB', 'MUL']);

/** Batch norm into the op before it: w·s per output channel, b·s + t. */
function foldAffine(g: Graph): number {
  let folded = 0;
  for (const a of [...g.ops]) {
    if (a.op !== 'AFFINE' || !a.affine) continue;
    const t = a.inputs[0];
    const p = producerOf(g, t);
    if (!p || !FOLDS_AFFINE.has(p.op) || (p.options.fused ?? 'NONE') !== 'NONE' || g.consumers(t).length !== 1 || g.outputs.includes(t)) continue;
    const w = g.tensors[p.inputs[1]];
    const b = g.tensors[p.inputs[2]];
    const { scale, shift } = a.affine;
    const axis = outputChannelAxis(p.op);
    const c = w.shape[axis];
    if (c !== scale.length || !w.data || !b.data) continue;
    const inner = w.shape.slice(axis + 1).reduce((m, d) => m * d, 1);
    const wv = w.data;
    for (let i = 0; i < wv.length; i++) wv[i] *= scale[Math.floor(i / inner) % c];
    const bv = b.data;
    for (let i = 0; i < c; i++) bv[i] = bv[i] * scale[i] + shift[i];
    p.outputs = a.outputs;
    g.ops = g.ops.filter((o) => o !== a);
    folded++;
  }
  return folded;
}

/** RELU / RELU6 after an op that can apply it itself. */
function fuseActivations(g: Graph): void {
  for (const r of [...g.ops]) {
    if (r.op !== 'RELU' && r.op !== 'RELU6') continue;
    const t = r.inputs[0];
    const p = producerOf(g, t);
    if (!p || !FUSES_ACTIVATION.has(p.op) || (p.options.fused ?? 'NONE') !== 'NONE' || g.consumers(t).length !== 1 || g.outputs.includes(t)) continue;
    p.options.fused = r.op;
    p.outputs = r.outputs;
    g.ops = g.ops.filter((o) => o !== r);
  }
}

/** Batch norm that could not be folded: y = x·scale + shift, broadcast on the channel axis. */
function lowerAffine(g: Graph): void {
  const ops: GraphOp[] = [];
  for (const o of g.ops) {
    if (o.op !== 'AFFINE' || !o.affine) {
      ops.push(o);
      continue;
    }
    const name = g.tensors[o.outputs[0]].name;
    const shape = g.tensors[o.outputs[0]].shape;
    const c = o.affine.scale.length;
    const mid = g.tensor(`${name}/scaled`, shape);
    ops.push({ op: 'MUL', inputs: [o.inputs[0], g.tensor(`${name}/scale`, [c], o.affine.scale)], outputs: [mid], options: {} });
    ops.push({ op: 'ADD', inputs: [mid, g.tensor(`${name}/shift`, [c], o.affine.shift)], outputs: o.outputs, options: {} });
  }
  g.ops = ops;
}

export interface GraphConversion {
  graph: Graph;
  /** Batch-norm layers folded into the convolution or dense layer before them. */
  foldedBatchNorms: number;
}

export function layersModelToGraph(model: tf.LayersModel, opts: { inputName?: string; outputName?: string } = {}): GraphConversion {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new LabError('EXPORT_FAILED', msg('deploy.tflite.oneInputOutput', { model: model.name, inputs: model.inputs.length, outputs: model.outputs.length }));
  }
  const g = new Graph();
  const inShape = model.inputs[0].shape.map((d, i) => (i === 0 ? 1 : d));
  if (inShape.some((d) => d == null)) throw new LabError('EXPORT_FAILED', msg('deploy.tflite.fixedSize'));
  const input = g.tensor(opts.inputName ?? 'input', inShape as number[]);
  g.inputs = [input];
  const [y] = new Converter(g).container(model, [input]);
  if (y === input) throw new LabError('EXPORT_FAILED', msg('deploy.tflite.nothing'));
  g.outputs = [y];
  const foldedBatchNorms = foldAffine(g);
  fuseActivations(g);
  lowerAffine(g);
  g.tensors[g.outputs[0]].name = opts.outputName ?? 'probabilities';
  return { graph: g, foldedBatchNorms };
}
