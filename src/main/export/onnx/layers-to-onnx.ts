/**
 * A tf.LayersModel (standard layers only: run standardizeSnapshot first) → an ONNX graph, opset 13.
 * The lab's tensors are NHWC; ONNX convolutions are NCHW. The graph input stays NHWC (as the lab feeds
 * it) and is transposed once; 4-D values stay NCHW inside, and Flatten transposes back first so the
 * flattened order — and therefore the Dense weights — match tfjs exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { msg, type LabMessage } from '../../../shared/messages';
import { walkContainer } from '../walk-layers';
import { OnnxGraph } from './onnx-graph';
import { DataType, type ModelProto, type ValueInfoProto } from './onnx-proto';
import type { QuantizeMode } from '../quantize';

export const ONNX_OPSET = 13;
const IR_VERSION = 7; // the IR version that goes with opset 13

type Shape = (number | null)[];
interface Value {
  name: string;
  /** Shape as tfjs sees it (NHWC for images). */
  shape: Shape;
  /** Physical layout in the ONNX graph: 4-D values are NCHW. */
  nchw: boolean;
}

/** Layer configs as tfjs's getConfig() returns them (camelCase keys). */
type Config = Record<string, unknown>;
function fail(layer: tf.layers.Layer, why: LabMessage): never {
  throw new LabError('EXPORT_FAILED', msg('error.onnx.layer', { name: layer.name, className: layer.getClassName(), why }), { layer: layer.name, className: layer.getClassName() });
}

function pair(v: unknown, fallback: number): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[1] ?? a[0]];
}

/** TensorFlow 'same' padding: the extra pixel (if any) goes after. */
function padsFor(padding: string, inH: number | null, inW: number | null, k: [number, number], s: [number, number], d: [number, number], layer: tf.layers.Layer): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') fail(layer, msg('error.onnx.padding', { padding: String(padding) }));
  const one = (n: number | null, kk: number, ss: number, dd: number): [number, number] => {
    if (n == null) fail(layer, msg('error.onnx.unknownSize'));
    const out = Math.ceil(n / ss);
    const total = Math.max((out - 1) * ss + (kk - 1) * dd + 1 - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = one(inH, k[0], s[0], d[0]);
  const [l, r] = one(inW, k[1], s[1], d[1]);
  return [t, l, b, r];
}

function weightOf(layer: tf.layers.Layer, suffix: string): Float32Array | null {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`) || v.originalName === suffix);
  return w ? (w.read().dataSync() as Float32Array) : null;
}

function weightShape(layer: tf.layers.Layer, suffix: string): number[] {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`) || v.originalName === suffix);
  return w ? [...w.shape] as number[] : [];
}

/** Permute a row-major tensor of shape `shape` by `perm` (like numpy.transpose). */
function permute(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  return tf.tidy(() => tf.transpose(tf.tensor(values, shape), perm).dataSync() as Float32Array);
}

class Emitter {
  constructor(readonly g: OnnxGraph) {}

  activation(x: Value, name: string, kind: string, layer: tf.layers.Layer): Value {
    const g = this.g;
    const out = (n: string): Value => ({ ...x, name: n });
    switch (kind) {
      case 'linear':
        return x;
      case 'relu':
        return out(g.node('Relu', [x.name], `${name}/relu`));
      case 'relu6':
        return out(g.node('Clip', [x.name, g.constFloat(`${name}/min`, [0], []), g.constFloat(`${name}/max`, [6], [])], `${name}/relu6`));
      case 'elu':
        return out(g.node('Elu', [x.name], `${name}/elu`, { alpha: { float: 1 } }));
      case 'selu':
        return out(g.node('Selu', [x.name], `${name}/selu`, { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } }));
      case 'tanh':
        return out(g.node('Tanh', [x.name], `${name}/tanh`));
      case 'sigmoid':
        return out(g.node('Sigmoid', [x.name], `${name}/sigmoid`));
      case 'hardSigmoid':
      case 'hard_sigmoid':
        return out(g.node('HardSigmoid', [x.name], `${name}/hard_sigmoid`, { alpha: { float: 0.2 }, beta: { float: 0.5 } }));
      case 'softplus':
        return out(g.node('Softplus', [x.name], `${name}/softplus`));
      case 'softsign':
        return out(g.node('Softsign', [x.name], `${name}/softsign`));
      case 'swish':
        return out(g.node('Mul', [x.name, g.node('Sigmoid', [x.name], `${name}/swish_gate`)], `${name}/swish`));
      case 'mish': {
        const sp = g.node('Softplus', [x.name], `${name}/mish_softplus`);
        return out(g.node('Mul', [x.name, g.node('Tanh', [sp], `${name}/mish_tanh`)], `${name}/mish`));
      }
      case 'softmax':
        return out(g.node('Softmax', [x.name], `${name}/softmax`, { axis: x.nchw ? 1 : -1 }));
      default:
        return fail(layer, msg('error.onnx.activation', { kind: String(kind) }));
    }
  }

  /** A fixed per-channel y = a·x + b on the channel axis of x. */
  channelAffine(x: Value, name: string, a: Float32Array, b: Float32Array): Value {
    const c = a.length;
    const dims = x.nchw ? [c, 1, 1] : [c];
    const mul = this.g.node('Mul', [x.name, this.g.constFloat(`${name}/scale`, a, dims)], `${name}/mul`);
    return { ...x, name: this.g.node('Add', [mul, this.g.constFloat(`${name}/shift`, b, dims)], `${name}/add`) };
  }

  container(model: tf.LayersModel, inputs: Value[]): Value[] {
    return walkContainer(model, inputs, {
      layer: (layer, values) => this.layer(layer, values),
      unreachable: (name, layers) => msg('error.export.onnxUnreachable', { model: name, layers }),
      outputMissing: (name, output) => msg('error.export.onnxNoOutput', { output, model: name }),
    });
  }

  layer(layer: tf.layers.Layer, inputs: Value[]): Value[] {
    if (layer instanceof tf.LayersModel) return this.container(layer, inputs);
    const g = this.g;
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Config;
    const name = layer.name;
    const x = inputs[0];
    const outShape = layer.computeOutputShape(inputs.length === 1 ? x.shape : inputs.map((v) => v.shape)) as Shape;
    const same = (n: string): Value[] => [{ name: n, shape: outShape, nchw: outShape.length === 4 }];
    if (cfg.dataFormat !== undefined && cfg.dataFormat !== null && cfg.dataFormat !== 'channelsLast' && cfg.dataFormat !== 'channels_last') fail(layer, msg('error.onnx.channelsFirst'));

    switch (cls) {
      case 'InputLayer':
      case 'Dropout':
      case 'SpatialDropout1D':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
        return [x]; // identity at inference
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'SeparableConv2D': {
        if (!x.nchw) fail(layer, msg('error.onnx.needs4d'));
        const k = pair(cfg.kernelSize, 1);
        const s = pair(cfg.strides, 1);
        const d = pair(cfg.dilationRate, 1);
        const pads = padsFor(String(cfg.padding), x.shape[1], x.shape[2], k, s, d, layer);
        const inC = x.shape[3] as number;
        const attrs = { kernel_shape: k, strides: s, dilations: d, pads };
        let y: string;
        if (cls === 'Conv2D') {
          const w = permute(weightOf(layer, 'kernel')!, weightShape(layer, 'kernel'), [3, 2, 0, 1]);
          const outC = cfg.filters as number;
          const ins = [x.name, g.weight(`${name}/kernel`, w, [outC, inC, k[0], k[1]])];
          if (cfg.useBias) ins.push(g.weight(`${name}/bias`, weightOf(layer, 'bias')!, [outC]));
          y = g.node('Conv', ins, `${name}/conv`, { ...attrs, group: 1 });
        } else {
          const mult = (cfg.depthMultiplier as number) ?? 1;
          const suffix = 'depthwise_kernel';
          // [kh, kw, in, mult] → [in, mult, kh, kw] = [in·mult, 1, kh, kw]: output channel c·mult + m, as in tfjs.
          const w = permute(weightOf(layer, suffix)!, weightShape(layer, suffix), [2, 3, 0, 1]);
          const ins = [x.name, g.weight(`${name}/depthwise_kernel`, w, [inC * mult, 1, k[0], k[1]])];
          if (cls === 'DepthwiseConv2D' && cfg.useBias) ins.push(g.weight(`${name}/bias`, weightOf(layer, 'bias')!, [inC * mult]));
          y = g.node('Conv', ins, `${name}/depthwise`, { ...attrs, group: inC });
          if (cls === 'SeparableConv2D') {
            const outC = cfg.filters as number;
            const pw = permute(weightOf(layer, 'pointwise_kernel')!, weightShape(layer, 'pointwise_kernel'), [3, 2, 0, 1]);
            const pins = [y, g.weight(`${name}/pointwise_kernel`, pw, [outC, inC * mult, 1, 1])];
            if (cfg.useBias) pins.push(g.weight(`${name}/bias`, weightOf(layer, 'bias')!, [outC]));
            y = g.node('Conv', pins, `${name}/pointwise`, { kernel_shape: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], group: 1 });
          }
        }
        return [this.activation({ name: y, shape: outShape, nchw: true }, name, String(cfg.activation ?? 'linear'), layer)];
      }
      case 'Dense': {
        if (x.shape.length !== 2) fail(layer, msg('error.onnx.denseRank', { rank: x.shape.length }));
        const units = cfg.units as number;
        const ins = [x.name, g.weight(`${name}/kernel`, weightOf(layer, 'kernel')!, [x.shape[1] as number, units])];
        if (cfg.useBias) ins.push(g.weight(`${name}/bias`, weightOf(layer, 'bias')!, [units]));
        const y = g.node('Gemm', ins, `${name}/gemm`);
        return [this.activation({ name: y, shape: outShape, nchw: false }, name, String(cfg.activation ?? 'linear'), layer)];
      }
      case 'BatchNormalization': {
        const axis = cfg.axis as number;
        if (axis !== -1 && axis !== x.shape.length - 1) fail(layer, msg('error.onnx.normAxis', { axis }));
        const eps = cfg.epsilon as number;
        const mean = weightOf(layer, 'moving_mean')!;
        const variance = weightOf(layer, 'moving_variance')!;
        const gamma = weightOf(layer, 'gamma');
        const beta = weightOf(layer, 'beta');
        const c = mean.length;
        const a = new Float32Array(c);
        const b = new Float32Array(c);
        for (let i = 0; i < c; i++) {
          a[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
          b[i] = (beta ? beta[i] : 0) - mean[i] * a[i];
        }
        return [this.channelAffine(x, name, a, b)];
      }
      case 'Activation':
        return [this.activation(x, name, String(cfg.activation), layer)];
      case 'ReLU': {
        const max = cfg.maxValue as number | null | undefined;
        if (max == null) return same(g.node('Relu', [x.name], `${name}/relu`));
        return same(g.node('Clip', [x.name, g.constFloat(`${name}/min`, [0], []), g.constFloat(`${name}/max`, [max], [])], `${name}/clip`));
      }
      case 'LeakyReLU':
        return same(g.node('LeakyRelu', [x.name], `${name}/leaky_relu`, { alpha: { float: (cfg.alpha as number) ?? 0.3 } }));
      case 'ELU':
        return same(g.node('Elu', [x.name], `${name}/elu`, { alpha: { float: (cfg.alpha as number) ?? 1 } }));
      case 'Softmax': {
        const axis = (cfg.axis as number) ?? -1;
        if (axis !== -1 && axis !== x.shape.length - 1) fail(layer, msg('error.onnx.softmaxAxis', { axis }));
        return same(g.node('Softmax', [x.name], `${name}/softmax`, { axis: x.nchw ? 1 : -1 }));
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        if (!x.nchw) fail(layer, msg('error.onnx.needs4d'));
        const k = pair(cfg.poolSize, 2);
        const s = cfg.strides == null ? k : pair(cfg.strides, 1);
        const pads = padsFor(String(cfg.padding), x.shape[1], x.shape[2], k, s, [1, 1], layer);
        // count_include_pad = 0: like tfjs, padded cells do not count in the average.
        const op = cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
        return same(g.node(op, [x.name], `${name}/pool`, { kernel_shape: k, strides: s, pads }));
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        if (!x.nchw) fail(layer, msg('error.onnx.needs4d'));
        if (cfg.keepDims === true) fail(layer, msg('error.onnx.keepDims'));
        const pooled = g.node(cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool', [x.name], `${name}/pool`);
        return [{ name: g.node('Flatten', [pooled], `${name}/flatten`, { axis: 1 }), shape: outShape, nchw: false }];
      }
      case 'Flatten': {
        if (!x.nchw) return x.shape.length === 2 ? [x] : fail(layer, msg('error.onnx.flattenRank', { rank: x.shape.length }));
        const nhwc = g.node('Transpose', [x.name], `${name}/to_nhwc`, { perm: [0, 2, 3, 1] });
        return [{ name: g.node('Flatten', [nhwc], `${name}/flatten`, { axis: 1 }), shape: outShape, nchw: false }];
      }
      case 'ZeroPadding2D': {
        const p = cfg.padding as number | number[] | number[][];
        const [[t, b], [l, r]] = typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray(p[0]) ? (p as number[][]) : [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]];
        return same(g.node('Pad', [x.name, g.constInt64(`${name}/pads`, [0, 0, t, l, 0, 0, b, r])], `${name}/pad`, { mode: 'constant' }));
      }
      case 'Add':
      case 'Multiply':
      case 'Maximum':
      case 'Minimum':
      case 'Average': {
        if (inputs.some((v) => v.nchw !== x.nchw)) fail(layer, msg('error.onnx.mixedRanks'));
        const op = { Add: 'Sum', Multiply: 'Mul', Maximum: 'Max', Minimum: 'Min', Average: 'Mean' }[cls] as string;
        if (op === 'Mul') {
          let acc = x.name;
          for (const v of inputs.slice(1)) acc = g.node('Mul', [acc, v.name], `${name}/mul`);
          return same(acc);
        }
        return same(g.node(op, inputs.map((v) => v.name), `${name}/${op.toLowerCase()}`));
      }
      case 'Subtract':
        return same(g.node('Sub', [x.name, inputs[1].name], `${name}/sub`));
      case 'Concatenate': {
        const axis = (cfg.axis as number) ?? -1;
        if (axis !== -1 && axis !== x.shape.length - 1) fail(layer, msg('error.onnx.concatAxis', { axis }));
        return same(g.node('Concat', inputs.map((v) => v.name), `${name}/concat`, { axis: x.nchw ? 1 : -1 }));
      }
      case 'Rescaling': {
        const mul = g.node('Mul', [x.name, g.constFloat(`${name}/scale`, [cfg.scale as number], [])], `${name}/mul`);
        return same(g.node('Add', [mul, g.constFloat(`${name}/offset`, [(cfg.offset as number) ?? 0], [])], `${name}/add`));
      }
      default:
        return fail(layer, msg('error.onnx.noMapping'));
    }
  }
}

function valueInfo(name: string, shape: Shape): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: shape.map((d) => (d == null ? { dimParam: 'batch' } : { dimValue: d })) } } },
  };
}

export interface OnnxConversion {
  model: ModelProto;
  weightBytes: number;
  weightBytesFloat32: number;
}

export function layersModelToOnnx(
  model: tf.LayersModel,
  opts: { quantize?: QuantizeMode; inputName?: string; outputName?: string; graphName?: string; docString?: string; metadata?: Record<string, string> } = {},
): OnnxConversion {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new LabError('EXPORT_FAILED', msg('error.export.onnxOneInOut', { model: model.name, inputs: model.inputs.length, outputs: model.outputs.length }));
  }
  const g = new OnnxGraph(opts.quantize ?? 'none');
  const inputName = g.name(opts.inputName ?? 'input');
  const outputName = opts.outputName ?? 'probabilities';
  g.name(outputName);
  const inShape = model.inputs[0].shape as Shape;
  let x: Value = { name: inputName, shape: inShape, nchw: false };
  if (inShape.length === 4) x = { ...x, name: g.node('Transpose', [inputName], 'input_nchw', { perm: [0, 3, 1, 2] }), nchw: true };
  const [y] = new Emitter(g).container(model, [x]);
  // A 4-D output (fully convolutional model) goes back to NHWC, like tfjs returns it.
  const final = y.nchw ? g.node('Transpose', [y.name], 'output_nhwc', { perm: [0, 2, 3, 1] }) : y.name;
  g.nodes.push({ input: [final], output: [outputName], name: g.name('output/Identity'), opType: 'Identity', attribute: [] });
  return {
    model: {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'image-classification-lab',
      producerVersion: tf.version.tfjs,
      docString: opts.docString ?? '',
      graph: {
        name: opts.graphName ?? model.name,
        node: g.nodes,
        initializer: g.initializers,
        input: [valueInfo(inputName, inShape)],
        output: [valueInfo(outputName, model.outputs[0].shape as Shape)],
      },
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    },
    weightBytes: g.weightBytes,
    weightBytesFloat32: g.weightBytesFloat32,
  };
}
