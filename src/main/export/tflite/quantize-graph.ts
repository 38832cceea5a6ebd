/**
 * The TFLite export's graph → the tensors and ops of a .tflite file, in one of three precisions:
 * - float32: as is;
 * - float16: every float constant stored as float16 and turned back into float32 by a DEQUANTIZE op at
 *   load time (TFLite's own "float16 quantisation"), so weights take half the bytes;
 * - int8: full-integer, TFLite's int8 scheme: activations asymmetric per tensor from calibrated ranges,
 *   convolution weights symmetric per output channel, dense weights symmetric per tensor, biases int32 at
 *   scale input·weight. The model keeps a float32 input and output (a QUANTIZE op after the input, a
 *   DEQUANTIZE before the output), so the preprocessing and the output are those of the float model.
 */
import { toFloat16Array } from '../quantize';
import { outputChannelAxis, type Graph, type GraphOp } from './graph';
import type { Range } from './graph-eval';
import type { OpName } from './tflite-schema';
import type { QuantParams, TfliteModelSpec, TfliteOp, TfliteTensor } from './tflite-writer';

export type TflitePrecision = 'float32' | 'float16' | 'int8';

const bytes = (v: ArrayBufferView): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

function baseTensor(g: Graph, i: number): TfliteTensor {
  const t = g.tensors[i];
  if (t.int32) return { name: t.name, shape: t.shape, type: 'INT32', data: bytes(t.int32) };
  return { name: t.name, shape: t.shape, type: 'FLOAT32', ...(t.data ? { data: bytes(t.data) } : {}) };
}

type Header = Pick<TfliteModelSpec, 'name' | 'description' | 'metadata'>;

export function float32Spec(g: Graph, header: Header): TfliteModelSpec {
  return {
    ...header,
    tensors: g.tensors.map((_, i) => baseTensor(g, i)),
    ops: g.ops.map((o) => ({ op: o.op as OpName, version: 1, inputs: o.inputs, outputs: o.outputs, options: o.options })),
    inputs: g.inputs,
    outputs: g.outputs,
  };
}

export function float16Spec(g: Graph, header: Header): TfliteModelSpec {
  const tensors = g.tensors.map((_, i) => baseTensor(g, i));
  const dequantize: TfliteOp[] = [];
  g.tensors.forEach((t, i) => {
    if (!t.data) return;
    const half = tensors.push({ name: `${t.name}/float16`, shape: t.shape, type: 'FLOAT16', data: bytes(toFloat16Array(t.data)) }) - 1;
    tensors[i] = { name: t.name, shape: t.shape, type: 'FLOAT32' }; // computed at load time
    dequantize.push({ op: 'DEQUANTIZE', version: 3, inputs: [half], outputs: [i], options: {} });
  });
  const ops = g.ops.map((o) => ({ op: o.op as OpName, version: 1, inputs: o.inputs, outputs: o.outputs, options: o.options }));
  return { ...header, tensors, ops: [...dequantize, ...ops], inputs: g.inputs, outputs: g.outputs };
}

/** Asymmetric int8 parameters covering [min, max] (always including 0, as TFLite requires). */
export function activationParams(r: Range): QuantParams {
  const lo = Math.min(r.min, 0);
  let hi = Math.max(r.max, 0);
  if (hi - lo < 1e-8) hi = lo + 1e-8;
  const scale = (hi - lo) / 255;
  const zero = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale: [scale], zeroPoint: [zero] };
}

function quantizeAsym(values: Float32Array, q: QuantParams): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(-128, Math.min(127, Math.round(values[i] / q.scale[0]) + q.zeroPoint[0]));
  return out;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Symmetric int8 weights, one scale per slice along `axis` (or one for all when axis is null). A scale is
 * never so small that the channel's int32 bias (bias / (inputScale · scale)) would overflow, nor zero for
 * an all-zero channel.
 */
function quantizeWeights(values: Float32Array, shape: number[], axis: number | null, bias: Float32Array, inputScale: number): { data: Int8Array; quant: QuantParams } {
  const channels = axis === null ? 1 : shape[axis];
  const inner = axis === null ? values.length : shape.slice(axis + 1).reduce((m, d) => m * d, 1);
  const channelOf = (i: number): number => (axis === null ? 0 : Math.floor(i / inner) % channels);
  const absMax = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) absMax[channelOf(i)] = Math.max(absMax[channelOf(i)], Math.abs(values[i]));
  for (let c = 0; c < bias.length; c++) {
    const k = axis === null ? 0 : c;
    absMax[k] = Math.max(absMax[k], (127 * Math.abs(bias[c])) / (inputScale * INT32_MAX / 2));
  }
  const scale = Array.from(absMax, (m) => (m > 0 ? m / 127 : 1));
  const data = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.max(-127, Math.min(127, Math.round(values[i] / scale[channelOf(i)])));
  return { data, quant: { scale, zeroPoint: scale.map(() => 0), dimension: axis ?? 0 } };
}

/** Ops whose int8 kernels require the output to share the input's scale and zero point. */
const SAME_PARAMS = new Set<GraphOp['op']>(['MAX_POOL_2D', 'AVERAGE_POOL_2D', 'RESHAPE', 'PAD', 'REDUCE_MAX', 'MEAN', 'MAXIMUM', 'MINIMUM']);
/** Fixed output parameters of TFLite's int8 kernels. */
const FIXED_OUTPUT: Partial<Record<GraphOp['op'], QuantParams>> = {
  SOFTMAX: { scale: [1 / 256], zeroPoint: [-128] },
  LOGISTIC: { scale: [1 / 256], zeroPoint: [-128] },
  TANH: { scale: [1 / 128], zeroPoint: [0] },
};
const INT8_VERSION: Partial<Record<OpName, number>> = {
  CONV_2D: 3, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 4, AVERAGE_POOL_2D: 2, MAX_POOL_2D: 2, ADD: 2, SUB: 2, MUL: 2,
  SOFTMAX: 2, MEAN: 2, REDUCE_MAX: 2, PAD: 2, RELU: 2, RELU6: 2, LOGISTIC: 2, TANH: 2, ELU: 1, LEAKY_RELU: 2,
  MAXIMUM: 2, MINIMUM: 2, CONCATENATION: 2, QUANTIZE: 2, DEQUANTIZE: 2,
};
const WEIGHTED = new Set<GraphOp['op']>(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);

export function int8Spec(g: Graph, ranges: Map<number, Range>, header: Header): TfliteModelSpec {
  const tensors: (TfliteTensor | null)[] = g.tensors.map(() => null);
  const params = new Map<number, QuantParams>();
  const rangeOf = (i: number): Range => {
    const r = ranges.get(i);
    if (!r) throw new Error(`int8 export: tensor ${g.tensors[i].name} was not calibrated`);
    return r;
  };
  const activation = (i: number, q: QuantParams): void => {
    params.set(i, q);
    tensors[i] = { name: g.tensors[i].name, shape: g.tensors[i].shape, type: 'INT8', quant: q };
  };
  const constant = (i: number, q?: QuantParams): void => {
    const t = g.tensors[i];
    if (tensors[i]) return;
    if (t.int32) {
      tensors[i] = baseTensor(g, i);
      return;
    }
    const values = t.data as Float32Array;
    let lo = 0;
    let hi = 0;
    for (const v of values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const p = q ?? activationParams({ min: lo, max: hi });
    tensors[i] = { name: t.name, shape: t.shape, type: 'INT8', data: bytes(quantizeAsym(values, p)), quant: p };
  };

  // Float input → QUANTIZE → int8 input of the first op.
  const input = g.inputs[0];
  const qInput = g.tensors.length;
  activation(input, activationParams(rangeOf(input)));
  const floatInput: TfliteTensor = { name: g.tensors[input].name, shape: g.tensors[input].shape, type: 'FLOAT32' };
  const ops: TfliteOp[] = [{ op: 'QUANTIZE', version: 2, inputs: [qInput], outputs: [input], options: {} }];

  for (const o of g.ops) {
    const op = o.op as OpName;
    const out = o.outputs[0];
    const x = o.inputs[0];
    if (WEIGHTED.has(o.op)) {
      const w = g.tensors[o.inputs[1]];
      const axis = o.op === 'FULLY_CONNECTED' ? null : outputChannelAxis(o.op);
      const sIn = (params.get(x) as QuantParams).scale[0];
      const b = g.tensors[o.inputs[2]];
      const qw = quantizeWeights(w.data as Float32Array, w.shape, axis, b.data as Float32Array, sIn);
      tensors[o.inputs[1]] = { name: w.name, shape: w.shape, type: 'INT8', data: bytes(qw.data), quant: qw.quant };
      const biasScale = qw.quant.scale.map((s) => s * sIn);
      const bias = Int32Array.from(b.data as Float32Array, (v, c) => Math.round(v / biasScale[biasScale.length === 1 ? 0 : c]));
      const perChannel = biasScale.length > 1;
      tensors[o.inputs[2]] = { name: b.name, shape: b.shape, type: 'INT32', data: bytes(bias), quant: { scale: biasScale, zeroPoint: biasScale.map(() => 0), dimension: 0 } };
      if (!perChannel) tensors[o.inputs[2]]!.quant = { scale: [biasScale[0]], zeroPoint: [0] };
      activation(out, activationParams(rangeOf(out)));
    } else {
      const xParams = params.get(x);
      if (o.op === 'MAXIMUM' || o.op === 'MINIMUM') {
        for (const i of o.inputs.slice(1)) if (g.isConst(i)) constant(i, xParams);
      } else {
        for (const i of o.inputs.slice(1)) if (g.isConst(i)) constant(i);
      }
      const fixed = FIXED_OUTPUT[o.op];
      activation(out, fixed ?? (SAME_PARAMS.has(o.op) && xParams ? xParams : activationParams(rangeOf(out))));
    }
    ops.push({ op, version: INT8_VERSION[op] ?? 1, inputs: o.inputs, outputs: o.outputs, options: o.options });
  }

  // int8 output → DEQUANTIZE → float32 probabilities.
  const output = g.outputs[0];
  const outName = g.tensors[output].name;
  (tensors[output] as TfliteTensor).name = `${outName}/int8`;
  const all = [...tensors.map((t, i) => t ?? baseTensor(g, i)), floatInput];
  const floatOutput = all.push({ name: outName, shape: g.tensors[output].shape, type: 'FLOAT32' }) - 1;
  ops.push({ op: 'DEQUANTIZE', version: 2, inputs: [output], outputs: [floatOutput], options: {} });
  return { ...header, tensors: all, ops, inputs: [qInput], outputs: [floatOutput] };
}
