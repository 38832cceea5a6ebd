/**
 * tf.io handlers that read and write a tfjs layers model folder (model.json + weights.bin) with node:fs.
 * tfjs's own file:// handler lives in tfjs-node, which is optional and usually absent.
 * Saving goes to a temporary folder that is renamed into place, so a kill mid-save leaves the previous
 * model intact (at worst as `<dir>.old`, which loading falls back to).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

interface ModelJson {
  modelTopology: tf.io.ModelJSON['modelTopology'];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

function toArrayBuffer(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (!data) return new ArrayBuffer(0);
  if (Array.isArray(data)) return tf.io.concatenateArrayBuffers(data);
  return data;
}

/** Where a model folder's files actually are (the live folder, or the previous one if a save was cut short). */
export function resolveModelDir(dir: string): string | null {
  if (existsSync(path.join(dir, MODEL_FILE))) return dir;
  if (existsSync(path.join(`${dir}.old`, MODEL_FILE))) return `${dir}.old`;
  return null;
}

export function fsSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('Saving graph models in binary form is not supported.');
      }
      const weights = toArrayBuffer(artifacts.weightData);
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const tmp = `${dir}.tmp-${process.pid}`;
      const old = `${dir}.old`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      const text = JSON.stringify(json);
      await writeFile(path.join(tmp, WEIGHTS_FILE), new Uint8Array(weights));
      await writeFile(path.join(tmp, MODEL_FILE), text);
      await rm(old, { recursive: true, force: true });
      if (existsSync(dir)) await rename(dir, old);
      await rename(tmp, dir);
      await rm(old, { recursive: true, force: true });
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: text.length,
          weightSpecsBytes: JSON.stringify(json.weightsManifest).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/** Reads a folder's model.json and every weights file it lists (any number of shards). */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const live = resolveModelDir(dir);
  if (!live) throw new LabError('NOT_FOUND', msg('model.load.noModel', { dir }));
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(path.join(live, MODEL_FILE), 'utf8')) as ModelJson;
  } catch (err) {
    throw new LabError('BAD_MODEL', msg('model.load.badJson', { file: path.join(live, MODEL_FILE), detail: (err as Error).message }));
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new LabError('BAD_MODEL', msg('model.load.notLayers', { file: path.join(live, MODEL_FILE) }));
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = path.resolve(live, p);
      if (path.dirname(file) !== path.resolve(live)) throw new LabError('BAD_MODEL', msg('model.load.weightsOutside', { file: path.join(live, MODEL_FILE), path: String(p) }));
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch {
        throw new LabError('BAD_MODEL', msg('model.load.weightsMissing', { file }));
      }
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: tf.io.concatenateArrayBuffers(buffers),
    format: json.format ?? 'layers-model',
    ...(json.trainingConfig ? { trainingConfig: json.trainingConfig } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> } : {}),
  };
}

export function fsLoadHandler(dir: string): tf.io.IOHandler {
  return { load: () => readModelArtifacts(dir) };
}

/** Saves `model` as `dir/model.json` + `dir/weights.bin`. */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  await model.save(fsSaveHandler(dir));
}

/** Loads a tfjs layers model folder (custom layers such as SeedBatchNorm must be registered first). */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fsLoadHandler(dir));
}
