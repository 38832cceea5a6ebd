/** Accumulates ONNX nodes and initializers with unique names; quantises weight initializers on request. */
import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto } from './onnx-proto';
import { quantizeUint8, toFloat16Array, type QuantizeMode } from '../quantize';

export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.FLOATS, floats: value.floats };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  /** Bytes of weight data stored, to report what quantisation saved. */
  weightBytes = 0;
  weightBytesFloat32 = 0;

  constructor(private readonly quantize: QuantizeMode = 'none') {}

  /** A fresh value name based on hint. */
  name(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./-]/g, '_') || 'v';
    let candidate = base;
    for (let i = 1; this.used.has(candidate); i++) candidate = `${base}_${i}`;
    this.used.add(candidate);
    return candidate;
  }

  node(opType: string, inputs: string[], hint: string, attrs: Record<string, AttrValue> = {}): string {
    const output = this.name(hint);
    this.nodes.push({
      input: inputs,
      output: [output],
      name: this.name(`${hint}/${opType}`),
      opType,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** A float32 constant kept in float32 (small tensors such as batch-norm scale/shift). */
  constFloat(hint: string, values: Float32Array | number[], dims: number[]): string {
    const name = this.name(hint);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: bytesOf(Float32Array.from(values)) });
    return name;
  }

  constInt64(hint: string, values: number[]): string {
    const name = this.name(hint);
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, rawData: bytesOf(BigInt64Array.from(values.map(BigInt))) });
    return name;
  }

  /** A learned weight (conv kernel, dense matrix, bias): stored quantised when asked, dequantised in the graph. */
  weight(hint: string, values: Float32Array, dims: number[]): string {
    this.weightBytesFloat32 += values.byteLength;
    if (this.quantize === 'float16') {
      const raw = this.name(`${hint}_f16`);
      const half = toFloat16Array(values);
      this.initializers.push({ name: raw, dims, dataType: DataType.FLOAT16, rawData: bytesOf(half) });
      this.weightBytes += half.byteLength;
      return this.node('Cast', [raw], hint, { to: DataType.FLOAT });
    }
    if (this.quantize === 'uint8') {
      const q = quantizeUint8(values);
      const raw = this.name(`${hint}_u8`);
      this.initializers.push({ name: raw, dims, dataType: DataType.UINT8, rawData: q.bytes.slice() });
      const scale = this.name(`${hint}_scale`);
      this.initializers.push({ name: scale, dims: [], dataType: DataType.FLOAT, rawData: bytesOf(Float32Array.of(q.scale)) });
      const zero = this.name(`${hint}_zero_point`);
      this.initializers.push({ name: zero, dims: [], dataType: DataType.UINT8, rawData: Uint8Array.of(q.zeroPoint) });
      this.weightBytes += q.bytes.byteLength + 5;
      return this.node('DequantizeLinear', [raw, scale, zero], hint);
    }
    const name = this.name(hint);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: bytesOf(values) });
    this.weightBytes += values.byteLength;
    return name;
  }
}
