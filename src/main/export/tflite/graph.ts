/**
 * The TFLite export's intermediate graph: float32 tensors in TFLite's layouts (NHWC activations, conv
 * weights [out, kh, kw, in], depthwise weights [1, kh, kw, in·mult], dense weights [out, in]) and ops in
 * execution order. Conversion builds it from a tfjs model, passes fold batch norm and activations into
 * the ops before them, calibration measures it, and quantisation and the writer turn it into a file.
 */
import type { FusedActivation, OpName } from './tflite-schema';

export interface GraphTensor {
  name: string;
  shape: number[];
  /** Constant float values (weights); absent for activations. */
  data?: Float32Array;
  /** Constant int32 values (shapes, axes, paddings). */
  int32?: Int32Array;
}

export interface OpOptions {
  padding?: 'SAME' | 'VALID';
  stride?: [number, number];
  dilation?: [number, number];
  filter?: [number, number];
  depthMultiplier?: number;
  fused?: FusedActivation;
  axis?: number;
  keepDims?: boolean;
  alpha?: number;
  newShape?: number[];
}

export interface GraphOp {
  op: OpName | 'AFFINE';
  inputs: number[];
  outputs: number[];
  options: OpOptions;
  /** Per-channel scale and shift of a pseudo-op AFFINE (batch norm at inference), before lowering. */
  affine?: { scale: Float32Array; shift: Float32Array };
}

export class Graph {
  readonly tensors: GraphTensor[] = [];
  ops: GraphOp[] = [];
  inputs: number[] = [];
  outputs: number[] = [];
  private readonly names = new Set<string>();

  private unique(hint: string): string {
    let name = hint;
    for (let i = 1; this.names.has(name); i++) name = `${hint}_${i}`;
    this.names.add(name);
    return name;
  }

  tensor(name: string, shape: number[], data?: Float32Array): number {
    this.tensors.push({ name: this.unique(name), shape, ...(data ? { data } : {}) });
    return this.tensors.length - 1;
  }

  int32(name: string, values: number[], shape: number[] = [values.length]): number {
    this.tensors.push({ name: this.unique(name), shape, int32: Int32Array.from(values) });
    return this.tensors.length - 1;
  }

  add(op: GraphOp['op'], inputs: number[], outName: string, outShape: number[], options: OpOptions = {}): number {
    const out = this.tensor(outName, outShape);
    this.ops.push({ op, inputs, outputs: [out], options });
    return out;
  }

  consumers(tensor: number): GraphOp[] {
    return this.ops.filter((o) => o.inputs.includes(tensor));
  }

  isConst(tensor: number): boolean {
    const t = this.tensors[tensor];
    return t.data !== undefined || t.int32 !== undefined;
  }

  /** Replace every use of `from` (op inputs and graph outputs) by `to`. */
  rename(from: number, to: number): void {
    for (const o of this.ops) o.inputs = o.inputs.map((i) => (i === from ? to : i));
    this.outputs = this.outputs.map((i) => (i === from ? to : i));
  }
}

/** Channel axis of a weight tensor's output channels, by op. */
export function outputChannelAxis(op: GraphOp['op']): number {
  return op === 'DEPTHWISE_CONV_2D' ? 3 : 0;
}
