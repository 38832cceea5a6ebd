/**
 * tfjs layers-model artifacts on disk, written and read with node:fs (no tfjs-node): model.json with its
 * weights manifest, weight shards, optional quantisation in the manifest as tfjs reads it.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { quantizeUint8, toFloat16Array, type QuantizeMode } from './quantize';

/** One weight by the name tfjs loads it by, with its values. */
export interface NamedWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/** What a model is, independent of any file: its Keras-style topology JSON and its weights. */
export interface LayersSnapshot {
  topology: Record<string, unknown>;
  weights: NamedWeight[];
}

export interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  [key: string]: unknown;
}

/** The model's topology and weights, exactly as model.save would write them. */
export async function snapshotModel(model: tf.LayersModel): Promise<LayersSnapshot> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = captured as tf.io.ModelArtifacts | null;
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new LabError('EXPORT_FAILED', msg('error.export.notSerialised'));
  }
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const tensors = tf.io.decodeWeights(data, artifacts.weightSpecs);
  const weights: NamedWeight[] = artifacts.weightSpecs.map((spec) => {
    const t = tensors[spec.name];
    const values = t.dataSync() as Float32Array | Int32Array;
    t.dispose();
    return { name: spec.name, shape: [...spec.shape], dtype: spec.dtype === 'int32' ? 'int32' : 'float32', values };
  });
  return { topology: artifacts.modelTopology as Record<string, unknown>, weights };
}

/** Encode weights into one buffer + manifest entries, quantising float32 weights when asked. */
export function encodeWeights(weights: NamedWeight[], quantize: QuantizeMode): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const w of weights) {
    const base = { name: w.name, shape: w.shape, dtype: w.dtype };
    if (w.dtype === 'float32' && quantize === 'float16') {
      const half = toFloat16Array(w.values as Float32Array);
      parts.push(new Uint8Array(half.buffer));
      specs.push({ ...base, quantization: { dtype: 'float16' } });
    } else if (w.dtype === 'float32' && quantize === 'uint8') {
      const q = quantizeUint8(w.values as Float32Array);
      parts.push(q.bytes);
      specs.push({ ...base, quantization: { dtype: 'uint8', scale: q.scale, min: q.min } });
    } else {
      parts.push(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength));
      specs.push(base);
    }
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  return { specs, data };
}

export interface WriteOptions {
  quantize?: QuantizeMode;
  /** Shard size in bytes (tfjs's converter uses 4 MiB); ignored when weightsFile is given. */
  shardBytes?: number;
  /** Write all weights to this one file instead of group1-shardNofM.bin (Teachable Machine uses weights.bin). */
  weightsFile?: string;
  /** Extra top-level fields of model.json. */
  extra?: Record<string, unknown>;
}

/** Write model.json + weight files into dir; returns the file names written (relative to dir). */
export async function writeLayersModel(dir: string, snapshot: LayersSnapshot, opts: WriteOptions = {}): Promise<string[]> {
  const { specs, data } = encodeWeights(snapshot.weights, opts.quantize ?? 'none');
  await fsp.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  if (opts.weightsFile) {
    paths.push(opts.weightsFile);
    await fsp.writeFile(path.join(dir, opts.weightsFile), data);
  } else {
    const shard = opts.shardBytes ?? 4 * 1024 * 1024;
    const count = Math.max(1, Math.ceil(data.byteLength / shard));
    for (let i = 0; i < count; i++) {
      const name = `group1-shard${i + 1}of${count}.bin`;
      paths.push(name);
      await fsp.writeFile(path.join(dir, name), data.subarray(i * shard, Math.min(data.byteLength, (i + 1) * shard)));
    }
  }
  const modelJson: ModelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: snapshot.topology,
    weightsManifest: [{ paths, weights: specs }],
    ...opts.extra,
  };
  await fsp.writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  return ['model.json', ...paths];
}

/** Bytes a manifest entry occupies in the weight files. */
export function specByteLength(spec: tf.io.WeightsManifestEntry): number {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization?.dtype;
  const bytes = q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : spec.dtype === 'bool' ? 1 : 4;
  return size * bytes;
}

/** Read and parse a JSON file, naming it in the error. */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LabError(code === 'ENOENT' ? 'NOT_FOUND' : 'UNREADABLE', code === 'ENOENT' ? msg('model.import.fileMissing', { what, file }) : msg('model.import.fileUnreadable', { what, file, code: code ?? 'error' }), { path: file });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new LabError('BAD_MODEL', msg('model.import.badJson', { what, file, detail: (err as Error).message }), { path: file });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Read model.json and its weight files from dir, checking every file exists and has the size the manifest says. */
export async function readLayersModel(dir: string): Promise<{ modelJson: ModelJson; artifacts: tf.io.ModelArtifacts }> {
  const file = path.join(dir, 'model.json');
  const raw = await readJsonFile(file, 'model.json');
  if (!isRecord(raw) || !isRecord(raw.modelTopology) || !Array.isArray(raw.weightsManifest)) {
    throw new LabError('BAD_MODEL', msg('model.import.notLayers', { file }), { path: file });
  }
  const modelJson = raw as ModelJson;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new LabError('BAD_MODEL', msg('model.import.badManifest', { file }), { path: file });
    }
    const groupBuffers: Uint8Array[] = [];
    for (const p of group.paths) {
      const wfile = path.join(dir, String(p));
      if (path.relative(dir, wfile).startsWith('..')) {
        throw new LabError('BAD_MODEL', msg('model.import.outside', { file, path: String(p) }), { path: file });
      }
      try {
        groupBuffers.push(await fsp.readFile(wfile));
      } catch {
        throw new LabError('NOT_FOUND', msg('model.import.weightsMissing', { file: wfile }), { path: wfile });
      }
    }
    const expected = group.weights.reduce((n, s) => n + specByteLength(s), 0);
    const actual = groupBuffers.reduce((n, b) => n + b.byteLength, 0);
    if (expected !== actual) {
      const names = group.paths.map((p) => path.join(dir, String(p))).join(', ');
      throw new LabError('BAD_MODEL', msg('model.import.weightsSize', { names, actual, expected }), { path: names, expected, actual });
    }
    specs.push(...group.weights);
    buffers.push(...groupBuffers);
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    data.set(b, offset);
    offset += b.byteLength;
  }
  return { modelJson, artifacts: { modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: data.buffer } };
}

/** A tf.LayersModel from in-memory artifacts; tfjs errors become a LabError naming the source. */
export async function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, source: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new LabError('BAD_MODEL', msg('model.import.loadFailed', { source, detail: (err as Error).message }), { path: source });
  }
}

export function snapshotArtifacts(snapshot: LayersSnapshot): tf.io.ModelArtifacts {
  const { specs, data } = encodeWeights(snapshot.weights, 'none');
  return { modelTopology: snapshot.topology, weightSpecs: specs, weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
}
