/**
 * Serialises a TFLite model with the flatbuffers runtime, table by table, against the slots in
 * tflite-schema.ts. Buffer 0 is the empty sentinel the schema requires; every constant tensor gets its
 * own 16-byte-aligned buffer; metadata entries (labels, preprocessing) are named buffers.
 */
import * as flatbuffers from 'flatbuffers';
import { ActivationFunctionType, BuiltinOperator, BuiltinOptions, Padding, Slot, TensorType, TFLITE_FILE_IDENTIFIER, TFLITE_SCHEMA_VERSION, type OpName, type TensorTypeName } from './tflite-schema';
import type { OpOptions } from './graph';

export interface QuantParams {
  scale: number[];
  zeroPoint: number[];
  /** Axis of per-channel parameters (0 when per-tensor). */
  dimension?: number;
}

export interface TfliteTensor {
  name: string;
  shape: number[];
  type: TensorTypeName;
  /** Little-endian contents of a constant tensor. */
  data?: Uint8Array;
  quant?: QuantParams;
}

export interface TfliteOp {
  op: OpName;
  version: number;
  inputs: number[];
  outputs: number[];
  options: OpOptions;
}

export interface TfliteModelSpec {
  name: string;
  description: string;
  tensors: TfliteTensor[];
  ops: TfliteOp[];
  inputs: number[];
  outputs: number[];
  metadata: { name: string; data: Uint8Array }[];
}

type B = flatbuffers.Builder;

function intVector(b: B, values: number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function floatVector(b: B, values: number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function longVector(b: B, values: number[]): flatbuffers.Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: B, offsets: flatbuffers.Offset[]): flatbuffers.Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/** A [ubyte] vector whose data starts on a 16-byte boundary (the schema's force_align: 16). */
function alignedBytes(b: B, data: Uint8Array): flatbuffers.Offset {
  b.prep(16, data.length);
  return b.createByteVector(data);
}

const activation = (o: OpOptions): number => ActivationFunctionType[o.fused ?? 'NONE'];
const padding = (o: OpOptions): number => Padding[o.padding ?? 'VALID'];

/** The options table of an op: [union type, offset] (type 0: none). */
function builtinOptions(b: B, op: OpName, o: OpOptions): [number, flatbuffers.Offset] {
  switch (op) {
    case 'CONV_2D': {
      const s = Slot.Conv2DOptions;
      b.startObject(s.count);
      b.addFieldInt8(s.padding, padding(o), 0);
      b.addFieldInt32(s.stride_w, o.stride?.[1] ?? 1, 0);
      b.addFieldInt32(s.stride_h, o.stride?.[0] ?? 1, 0);
      b.addFieldInt8(s.fused_activation_function, activation(o), 0);
      b.addFieldInt32(s.dilation_w_factor, o.dilation?.[1] ?? 1, 1);
      b.addFieldInt32(s.dilation_h_factor, o.dilation?.[0] ?? 1, 1);
      return [BuiltinOptions.Conv2DOptions, b.endObject()];
    }
    case 'DEPTHWISE_CONV_2D': {
      const s = Slot.DepthwiseConv2DOptions;
      b.startObject(s.count);
      b.addFieldInt8(s.padding, padding(o), 0);
      b.addFieldInt32(s.stride_w, o.stride?.[1] ?? 1, 0);
      b.addFieldInt32(s.stride_h, o.stride?.[0] ?? 1, 0);
      b.addFieldInt32(s.depth_multiplier, o.depthMultiplier ?? 1, 0);
      b.addFieldInt8(s.fused_activation_function, activation(o), 0);
      b.addFieldInt32(s.dilation_w_factor, o.dilation?.[1] ?? 1, 1);
      b.addFieldInt32(s.dilation_h_factor, o.dilation?.[0] ?? 1, 1);
      return [BuiltinOptions.DepthwiseConv2DOptions, b.endObject()];
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const s = Slot.Pool2DOptions;
      b.startObject(s.count);
      b.addFieldInt8(s.padding, padding(o), 0);
      b.addFieldInt32(s.stride_w, o.stride?.[1] ?? 1, 0);
      b.addFieldInt32(s.stride_h, o.stride?.[0] ?? 1, 0);
      b.addFieldInt32(s.filter_width, o.filter?.[1] ?? 1, 0);
      b.addFieldInt32(s.filter_height, o.filter?.[0] ?? 1, 0);
      b.addFieldInt8(s.fused_activation_function, activation(o), 0);
      return [BuiltinOptions.Pool2DOptions, b.endObject()];
    }
    case 'FULLY_CONNECTED': {
      const s = Slot.FullyConnectedOptions;
      b.startObject(s.count);
      b.addFieldInt8(s.fused_activation_function, activation(o), 0);
      return [BuiltinOptions.FullyConnectedOptions, b.endObject()];
    }
    case 'SOFTMAX': {
      const s = Slot.SoftmaxOptions;
      b.startObject(s.count);
      b.addFieldFloat32(s.beta, o.alpha ?? 1, 0);
      return [BuiltinOptions.SoftmaxOptions, b.endObject()];
    }
    case 'CONCATENATION': {
      const s = Slot.ConcatenationOptions;
      b.startObject(s.count);
      b.addFieldInt32(s.axis, o.axis ?? -1, 0);
      b.addFieldInt8(s.fused_activation_function, activation(o), 0);
      return [BuiltinOptions.ConcatenationOptions, b.endObject()];
    }
    case 'ADD':
    case 'SUB':
    case 'MUL': {
      const s = Slot.ArithmeticOptions;
      b.startObject(s.count);
      b.addFieldInt8(s.fused_activation_function, activation(o), 0);
      const type = op === 'ADD' ? BuiltinOptions.AddOptions : op === 'SUB' ? BuiltinOptions.SubOptions : BuiltinOptions.MulOptions;
      return [type, b.endObject()];
    }
    case 'RESHAPE': {
      const shape = intVector(b, o.newShape ?? []);
      const s = Slot.ReshapeOptions;
      b.startObject(s.count);
      b.addFieldOffset(s.new_shape, shape, 0);
      return [BuiltinOptions.ReshapeOptions, b.endObject()];
    }
    case 'MEAN':
    case 'REDUCE_MAX': {
      const s = Slot.ReducerOptions;
      b.startObject(s.count);
      b.addFieldInt8(s.keep_dims, o.keepDims ? 1 : 0, 0);
      return [BuiltinOptions.ReducerOptions, b.endObject()];
    }
    case 'LEAKY_RELU': {
      const s = Slot.LeakyReluOptions;
      b.startObject(s.count);
      b.addFieldFloat32(s.alpha, o.alpha ?? 0.2, 0);
      return [BuiltinOptions.LeakyReluOptions, b.endObject()];
    }
    case 'PAD':
      b.startObject(0);
      return [BuiltinOptions.PadOptions, b.endObject()];
    default:
      return [BuiltinOptions.NONE, 0];
  }
}

function quantization(b: B, q: QuantParams): flatbuffers.Offset {
  const scale = floatVector(b, q.scale);
  const zero = longVector(b, q.zeroPoint);
  const s = Slot.QuantizationParameters;
  b.startObject(s.count);
  b.addFieldOffset(s.scale, scale, 0);
  b.addFieldOffset(s.zero_point, zero, 0);
  b.addFieldInt32(s.quantized_dimension, q.dimension ?? 0, 0);
  return b.endObject();
}

export function writeTflite(spec: TfliteModelSpec): Uint8Array {
  const b = new flatbuffers.Builder(1024 * 1024);

  // Buffers: 0 = empty sentinel, then one per constant tensor, then the metadata.
  const bufferData: (Uint8Array | null)[] = [null];
  const tensorBuffer = spec.tensors.map((t) => (t.data ? bufferData.push(t.data) - 1 : 0));
  const metadataBuffer = spec.metadata.map((m) => bufferData.push(m.data) - 1);
  const buffers = bufferData.map((data) => {
    const vec = data && data.length ? alignedBytes(b, data) : 0;
    b.startObject(Slot.Buffer.count);
    if (vec) b.addFieldOffset(Slot.Buffer.data, vec, 0);
    return b.endObject();
  });

  const tensors = spec.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = intVector(b, t.shape);
    const quant = t.quant ? quantization(b, t.quant) : 0;
    const s = Slot.Tensor;
    b.startObject(s.count);
    b.addFieldOffset(s.shape, shape, 0);
    b.addFieldInt8(s.type, TensorType[t.type], 0);
    b.addFieldInt32(s.buffer, tensorBuffer[i], 0);
    b.addFieldOffset(s.name, name, 0);
    if (quant) b.addFieldOffset(s.quantization, quant, 0);
    return b.endObject();
  });

  // Operator codes: one per (op, version), in first-use order.
  const codeKeys: string[] = [];
  const codeIndex = (op: TfliteOp): number => {
    const key = `${op.op}:${op.version}`;
    let i = codeKeys.indexOf(key);
    if (i < 0) i = codeKeys.push(key) - 1;
    return i;
  };
  const opIndices = spec.ops.map(codeIndex);
  const codes = codeKeys.map((key) => {
    const [op, version] = key.split(':');
    const code = BuiltinOperator[op as OpName];
    const s = Slot.OperatorCode;
    b.startObject(s.count);
    b.addFieldInt8(s.deprecated_builtin_code, Math.min(code, 127), 0);
    b.addFieldInt32(s.version, Number(version), 1);
    b.addFieldInt32(s.builtin_code, code, 0);
    return b.endObject();
  });

  const operators = spec.ops.map((op, i) => {
    const inputs = intVector(b, op.inputs);
    const outputs = intVector(b, op.outputs);
    const [optType, options] = builtinOptions(b, op.op, op.options);
    const s = Slot.Operator;
    b.startObject(s.count);
    b.addFieldInt32(s.opcode_index, opIndices[i], 0);
    b.addFieldOffset(s.inputs, inputs, 0);
    b.addFieldOffset(s.outputs, outputs, 0);
    if (optType) {
      b.addFieldInt8(s.builtin_options_type, optType, 0);
      b.addFieldOffset(s.builtin_options, options, 0);
    }
    return b.endObject();
  });

  const tensorsVec = offsetVector(b, tensors);
  const inputsVec = intVector(b, spec.inputs);
  const outputsVec = intVector(b, spec.outputs);
  const operatorsVec = offsetVector(b, operators);
  const subgraphName = b.createString(spec.name);
  const sg = Slot.SubGraph;
  b.startObject(sg.count);
  b.addFieldOffset(sg.tensors, tensorsVec, 0);
  b.addFieldOffset(sg.inputs, inputsVec, 0);
  b.addFieldOffset(sg.outputs, outputsVec, 0);
  b.addFieldOffset(sg.operators, operatorsVec, 0);
  b.addFieldOffset(sg.name, subgraphName, 0);
  const subgraph = b.endObject();

  const metadata = spec.metadata.map((m, i) => {
    const name = b.createString(m.name);
    b.startObject(Slot.Metadata.count);
    b.addFieldOffset(Slot.Metadata.name, name, 0);
    b.addFieldInt32(Slot.Metadata.buffer, metadataBuffer[i], 0);
    return b.endObject();
  });

  const codesVec = offsetVector(b, codes);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const description = b.createString(spec.description);
  const buffersVec = offsetVector(b, buffers);
  const metadataVec = offsetVector(b, metadata);
  const m = Slot.Model;
  b.startObject(m.count);
  b.addFieldInt32(m.version, TFLITE_SCHEMA_VERSION, 0);
  b.addFieldOffset(m.operator_codes, codesVec, 0);
  b.addFieldOffset(m.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(m.description, description, 0);
  b.addFieldOffset(m.buffers, buffersVec, 0);
  if (metadata.length) b.addFieldOffset(m.metadata, metadataVec, 0);
  b.finish(b.endObject(), TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
