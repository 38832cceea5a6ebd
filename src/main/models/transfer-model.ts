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
import { msg } from '../../shared/messages';
import { catalogId, isCatalogBackbone } from './backbone-catalog';
import { flattenTopology, isNested } from './flatten-topology';
import { readModelArtifacts } from './fs-io';
import { SeedBatchNorm } from './layers/seed-batch-norm';
import { BUILTIN_MOBILENET } from './preprocessing';
import { denseHead, LOGITS_LAYER } from './scratch-models';
import { seedSource, type SeedSource } from '../training/seeded-random';

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
  if (!found) throw new LabError('NOT_FOUND', msg('model.backbone.noResources', { candidates }));
  return found;
}

export function backboneDir(backbone: string): string {
  const builtin = BUILTIN_DIRS[backbone];
  if (builtin) return path.join(resourcesDir(), builtin);
  if (backbone.startsWith('builtin:')) {
    throw new LabError('BAD_CONFIG', msg('model.backbone.unknownBuiltin', { backbone, builtin: BUILTIN_MOBILENET }));
  }
  // catalog:<id> is resolved to its downloaded folder (backbone-library.ts) before a run or a cut-layer list gets here.
  if (isCatalogBackbone(backbone)) throw new LabError('NOT_FOUND', msg('backbone.unresolvedHere', { id: catalogId(backbone) }));
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
/** Loads a backbone at `size`; without pretrained weights its layers are initialised from `seeds`. */
export async function loadBackbone(backbone: string, size: number, pretrained = true, seeds: SeedSource = seedSource(0)): Promise<tf.LayersModel> {
  const dir = backboneDir(backbone);
  if (!existsSync(path.join(dir, 'model.json'))) {
    throw new LabError('NOT_FOUND', msg('model.backbone.noModelJson', { dir }));
  }
  const artifacts = await readModelArtifacts(dir);
  const topo = artifacts.modelTopology as Json;
  const modelTopology = (topo['model_config'] as Json | undefined) ?? topo;
  if (artifacts.format === 'graph-model' || !modelTopology['class_name']) {
    throw new LabError('BAD_MODEL', msg('model.backbone.graphModel', { dir }));
  }
  // Nested models (Teachable Machine exports) become one flat graph, so any of their layers can be the cut.
  let flat = modelTopology;
  if (isNested(modelTopology)) {
    try {
      flat = flattenTopology(modelTopology);
    } catch (err) {
      throw new LabError('BAD_MODEL', msg('model.backbone.nested', { dir, detail: (err as Error).message }));
    }
  }
  const { topology } = adaptTopology(flat, size);
  try {
    if (!pretrained) return await tf.models.modelFromJSON({ modelTopology: seedInitializers(topology, seeds) as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON);
    return await tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: topology }));
  } catch (err) {
    throw new LabError('BAD_MODEL', msg('model.backbone.badSize', { dir, size, detail: (err as Error).message }));
  }
}

/** Layers that end a classifier (its own head), skipped by the default cut: a new head replaces them. */
const HEAD_CLASSES = new Set(['Dense', 'Dropout', 'Activation', 'Softmax', 'Flatten']);

/**
 * Where a new head goes by default: after the last layer that is not part of a trailing classifier, so a plain
 * feature extractor (the built-in MobileNetV2) is cut at its end, and a Teachable Machine model right after its
 * pooled MobileNet features, before its own Dense layers.
 */
export function defaultCutLayer(backbone: tf.LayersModel): string {
  const layers = backbone.layers;
  let i = layers.length - 1;
  while (i > 0 && HEAD_CLASSES.has(layers[i]!.getClassName())) i--;
  return layers[i]!.name;
}

export interface CutLayer {
  name: string;
  className: string;
  /** output shape without the batch dimension */
  shape: number[];
  /** the default cut */
  isDefault: boolean;
}

/** Layers a new head can go on, last (most specific) first: outputs that are feature maps or feature vectors. */
export function cutLayerCandidates(backbone: tf.LayersModel): CutLayer[] {
  const def = defaultCutLayer(backbone);
  return backbone.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => ({ name: l.name, className: l.getClassName(), shape: (l.outputShape as (number | null)[]).slice(1) as number[], isDefault: l.name === def }))
    .filter((c) => c.shape.length === 3 || c.shape.length === 1)
    .reverse();
}

/** The cut-layer choices of a backbone (built-in id or folder) at an input size, for the Train form and the CLI. */
export async function listCutLayers(backbone: string, size: number): Promise<CutLayer[]> {
  const model = await loadBackbone(backbone, size);
  try {
    return cutLayerCandidates(model);
  } finally {
    model.dispose();
  }
}

/** Layers (in order) of a model that hold weights. */
function weightedLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.weights.length > 0);
}

export async function buildTransferModel(config: TrainConfig, numClasses: number, seeds: SeedSource): Promise<tf.LayersModel> {
  const cfg = config.model as TransferConfig;
  const backbone = await loadBackbone(cfg.backbone, config.input.size, cfg.pretrained !== false, seeds);
  const wants = (backbone.inputs[0]!.shape as number[])[3] ?? 3;
  if (config.input.channels !== wants) {
    throw new LabError('BAD_CONFIG', msg('model.backbone.channels', { wants, kind: msg(wants === 3 ? 'model.backbone.rgb' : 'model.backbone.grey') }));
  }
  const names = backbone.layers.map((l) => l.name);
  const cut = cfg.cutLayer ?? defaultCutLayer(backbone);
  if (!names.includes(cut)) {
    const tail = cutLayerCandidates(backbone).slice(0, 8).map((c) => c.name);
    throw new LabError('BAD_CONFIG', msg('model.backbone.noCutLayer', { cut, tail }));
  }
  const features = backbone.getLayer(cut).output as tf.SymbolicTensor;
  let x = features;
  if (x.shape.length === 4) x = tf.layers.globalAveragePooling2d({ name: POOL_LAYER }).apply(x) as tf.SymbolicTensor;
  else if (x.shape.length !== 2) x = tf.layers.flatten({ name: FLATTEN_LAYER }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: backbone.inputs, outputs: transferHead(x, cfg, numClasses, seeds), name: 'transfer' });
  freezeBackbone(model, new Set(backbone.layers), cfg.trainableLayers);
  return model;
}

/** A copy of a layers topology whose random initialisers (those with a `seed` field) each get a seed from `seeds`. */
function seedInitializers(topology: Json, seeds: SeedSource): Json {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = Object.fromEntries(Object.entries(v).map(([k, val]) => [k, walk(val)]));
    return 'seed' in o && ('scale' in o || 'minval' in o || 'stddev' in o) ? { ...o, seed: seeds() } : o;
  };
  return walk(topology) as Json;
}

const FLATTEN_LAYER = 'head_flatten';
const POOL_LAYER = 'head_pool';

/** The trained part on top of the (pooled) features: dropout, optional dense layers, the classifier. */
function transferHead(features: tf.SymbolicTensor, cfg: TransferConfig, numClasses: number, seeds: SeedSource): tf.SymbolicTensor {
  let x = features;
  if (cfg.headDropout > 0) x = tf.layers.dropout({ rate: cfg.headDropout, name: 'head_drop' }).apply(x) as tf.SymbolicTensor;
  return denseHead(x, cfg.dense, numClasses, 'head', seeds);
}

/**
 * A transfer model as its two halves, for training on cached embeddings: `features` (image → pooled feature
 * vector: the frozen part, run once per image) and `head` (feature vector → class probabilities), a separate model
 * with the same layer names and, at first, the same weights. `copyHeadInto` puts the trained head back into the
 * whole model, so what is saved and exported is the one model a normal run makes.
 */
export interface TransferHalves {
  features: tf.LayersModel;
  head: tf.LayersModel;
  dim: number;
}

export function splitTransferModel(model: tf.LayersModel, cfg: TransferConfig, numClasses: number): TransferHalves {
  const names = model.layers.map((l) => l.name);
  const at = names.findIndex((n) => n === POOL_LAYER || n === FLATTEN_LAYER);
  // Without pooling or flattening, the head starts right after the cut layer (a 2-D output).
  const first = at >= 0 ? at + 1 : names.findIndex((n) => n === 'head_drop' || /^head\d+_dense$/.test(n) || n === LOGITS_LAYER);
  const featureTensor = (first > 0 ? model.layers[first]!.input : null) as tf.SymbolicTensor | null;
  if (!featureTensor || featureTensor.shape.length !== 2) throw new LabError('BAD_MODEL', msg('model.transfer.notOnFeatures'));
  const dim = featureTensor.shape[1]!;
  const features = tf.model({ inputs: model.inputs, outputs: featureTensor, name: 'transfer_features' });
  const input = tf.input({ shape: [dim], name: 'embedding' });
  // The head's initial weights are replaced by the whole model's just below.
  const head = tf.model({ inputs: input, outputs: transferHead(input, cfg, numClasses, seedSource(0)), name: 'transfer_head' });
  copyWeightsByName(model, head);
  return { features, head, dim };
}

/** Copies the weights of every layer of `from` that has weights into the layer of the same name in `to`. */
export function copyWeightsByName(from: tf.LayersModel, to: tf.LayersModel): void {
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue;
    const source = from.layers.find((l) => l.name === layer.name);
    if (!source) throw new LabError('BAD_MODEL', msg('model.transfer.noLayer', { name: layer.name }));
    layer.setWeights(source.getWeights());
  }
}

/** After training on embeddings: the whole model with the trained head. */
export function copyHeadInto(head: tf.LayersModel, model: tf.LayersModel): tf.LayersModel {
  for (const layer of head.layers) {
    if (layer.weights.length === 0) continue;
    model.getLayer(layer.name).setWeights(layer.getWeights());
  }
  return model;
}

/** Freezes the backbone's layers except its top `trainable` weighted layers (the head stays trainable). */
export function freezeBackbone(model: tf.LayersModel, backboneLayers: Set<tf.layers.Layer>, trainable: number): void {
  const inModel = weightedLayers(model).filter((l) => backboneLayers.has(l));
  const keep = new Set(trainable > 0 ? inModel.slice(-trainable) : []);
  for (const layer of inModel) layer.trainable = keep.has(layer);
}

export { SeedBatchNorm };
