/**
 * Transfer learning: a pretrained tfjs layers model cut at a chosen layer, frozen (all or all but the top N
 * weighted layers), topped with a new head. Keras BatchNormalization layers are loaded as SeedBatchNorm
 * (identical weights and inference maths) so that frozen ones stay in inference mode during training and
 * the saved model uses one batch-norm class throughout.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelConfig, TrainConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { readModelArtifacts } from './fs-io';
import { SeedBatchNorm } from './layers/seed-batch-norm';
import { BUILTIN_MOBILENET } from './preprocessing';
import { denseHead } from './scratch-models';

type TransferConfig = Extract<ModelConfig, { kind: 'transfer' }>;
type Json = Record<string, unknown>;

const BUILTIN_DIRS: Record<string, string> = { [BUILTIN_MOBILENET]: path.join('backbones', 'mobilenetv2') };

/** The resources folder: LAB_RESOURCES, Electron's resourcesPath, or the nearest `resources/` above this file. */
export function resourcesDir(): string {
  const candidates: string[] = [];
  if (process.env.LAB_RESOURCES) candidates.push(process.env.LAB_RESOURCES);
  const electronResources = (process as { resourcesPath?: string }).resourcesPath;
  if (electronResources) candidates.push(path.join(electronResources, 'resources'), electronResources);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    candidates.push(path.join(dir, 'resources'));
    dir = path.dirname(dir);
  }
  candidates.push(path.resolve('resources'));
  const found = candidates.find((c) => existsSync(path.join(c, 'backbones')));
  if (!found) throw new LabError('NOT_FOUND', `The lab's resources folder (with backbones/) was not found; set LAB_RESOURCES to it. Looked in: ${candidates.join(', ')}.`);
  return found;
}

export function backboneDir(backbone: string): string {
  const builtin = BUILTIN_DIRS[backbone];
  if (builtin) return path.join(resourcesDir(), builtin);
  if (backbone.startsWith('builtin:')) {
    throw new LabError('BAD_CONFIG', `model.backbone: unknown built-in backbone "${backbone}"; use "${BUILTIN_MOBILENET}" or a folder holding a tfjs layers model.json.`);
  }
  return path.resolve(backbone);
}

/** Rewrites a Keras/tfjs topology: BatchNormalization → SeedBatchNorm, and the input to size×size×3. */
export function adaptTopology(topology: Json, size: number | null, convertBatchNorm = true): { topology: Json; converted: number } {
  let converted = 0;
  const visit = (layers: Json[]): void => {
    for (const layer of layers) {
      const cfg = layer['config'] as Json | Json[];
      if (Array.isArray(cfg)) {
        visit(cfg);
        continue;
      }
      if (Array.isArray(cfg['layers'])) visit(cfg['layers'] as Json[]);
      if (convertBatchNorm && layer['class_name'] === 'BatchNormalization' && cfg['center'] !== false && cfg['scale'] !== false) {
        const axis = cfg['axis'];
        if (axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3))) {
          layer['class_name'] = 'SeedBatchNorm';
          layer['config'] = { name: cfg['name'], trainable: cfg['trainable'] ?? true, momentum: cfg['momentum'] ?? 0.99, epsilon: cfg['epsilon'] ?? 1e-3, axis: -1 };
          converted++;
        }
      }
      // Input layers (and Sequential first layers) declare the image size.
      if (size !== null && Array.isArray(cfg['batch_input_shape']) && (cfg['batch_input_shape'] as unknown[]).length === 4) {
        const shape = cfg['batch_input_shape'] as (number | null)[];
        cfg['batch_input_shape'] = [null, size, size, shape[3] ?? 3];
      }
    }
  };
  const copy = structuredClone(topology);
  const root = copy['config'];
  if (Array.isArray(root)) visit(root);
  else if (root && typeof root === 'object' && Array.isArray((root as Json)['layers'])) visit((root as Json)['layers'] as Json[]);
  return { topology: copy, converted };
}

/**
 * Loads the backbone at the configured input size (fully convolutional backbones accept any size).
 * `pretrained: false` builds the same architecture from its JSON with fresh initial weights instead.
 */
export async function loadBackbone(backbone: string, size: number, pretrained = true, init: <T>(fn: () => T) => T = (fn) => fn()): Promise<tf.LayersModel> {
  const dir = backboneDir(backbone);
  if (!existsSync(path.join(dir, 'model.json'))) {
    throw new LabError('NOT_FOUND', `model.backbone: no model.json in ${dir}; give a folder holding a tfjs layers model (model.json + weights).`);
  }
  const artifacts = await readModelArtifacts(dir);
  const topo = artifacts.modelTopology as Json;
  const modelTopology = (topo['model_config'] as Json | undefined) ?? topo;
  if (artifacts.format === 'graph-model' || !modelTopology['class_name']) {
    throw new LabError('BAD_MODEL', `model.backbone: ${dir} holds a graph model; transfer learning needs a tfjs layers model (model.json with a modelTopology of layers).`);
  }
  const { topology } = adaptTopology(modelTopology, size);
  try {
    // modelFromJSON builds every layer (drawing initial weights) before its first await, so `init` seeds them.
    if (!pretrained) return await init(() => tf.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON));
    return await tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: topology }));
  } catch (err) {
    throw new LabError('BAD_MODEL', `model.backbone: could not load ${dir} at input.size ${size} (${(err as Error).message}). Use the backbone's own input size, or a fully convolutional backbone.`);
  }
}

/** Layers (in order) of a model that hold weights. */
function weightedLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.weights.length > 0);
}

export async function buildTransferModel(config: TrainConfig, numClasses: number, buildHead: <T>(fn: () => T) => T): Promise<tf.LayersModel> {
  const cfg = config.model as TransferConfig;
  if (config.input.channels !== 3) {
    throw new LabError('BAD_CONFIG', 'input.channels: transfer learning needs 3-channel (RGB) input; set input.channels to 3 (grey images are converted to RGB).');
  }
  const backbone = await loadBackbone(cfg.backbone, config.input.size, cfg.pretrained !== false, buildHead);
  const names = backbone.layers.map((l) => l.name);
  const cut = cfg.cutLayer ?? names[names.length - 1]!;
  if (!names.includes(cut)) {
    const tail = names.slice(-8).join(', ');
    throw new LabError('BAD_CONFIG', `model.cutLayer: the backbone has no layer "${cut}"; choose one of its layers (the last ones are: ${tail}).`);
  }
  const features = backbone.getLayer(cut).output as tf.SymbolicTensor;
  return buildHead(() => {
    let x = features;
    if (x.shape.length === 4) x = tf.layers.globalAveragePooling2d({ name: 'head_pool' }).apply(x) as tf.SymbolicTensor;
    else if (x.shape.length !== 2) x = tf.layers.flatten({ name: 'head_flatten' }).apply(x) as tf.SymbolicTensor;
    if (cfg.headDropout > 0) x = tf.layers.dropout({ rate: cfg.headDropout, name: 'head_drop' }).apply(x) as tf.SymbolicTensor;
    const output = denseHead(x, cfg.dense, numClasses, 'head');
    const model = tf.model({ inputs: backbone.inputs, outputs: output, name: 'transfer' });
    freezeBackbone(model, new Set(backbone.layers), cfg.trainableLayers);
    return model;
  });
}

/** Freezes the backbone's layers except its top `trainable` weighted layers (the head stays trainable). */
export function freezeBackbone(model: tf.LayersModel, backboneLayers: Set<tf.layers.Layer>, trainable: number): void {
  const inModel = weightedLayers(model).filter((l) => backboneLayers.has(l));
  const keep = new Set(trainable > 0 ? inModel.slice(-trainable) : []);
  for (const layer of inModel) layer.trainable = keep.has(layer);
}

export { SeedBatchNorm };
