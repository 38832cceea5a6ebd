/**
 * Exports must load anywhere, in code that has never heard of the lab's custom layers (the seed-exact
 * batch norm above all). At inference every batch-norm variant is a per-channel affine map y = a·x + b,
 * so each non-standard layer is measured (probed with 0, 1 and random inputs), checked to be such a map,
 * and replaced by a standard BatchNormalization layer that computes the same a, b.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { LayersSnapshot, NamedWeight } from './layers-artifacts';

/** Layer classes that ship with tfjs-layers (and Keras): any loader understands them. */
export const STANDARD_LAYER_CLASSES = new Set([
  'InputLayer', 'Sequential', 'Model', 'Functional',
  'Dense', 'Activation', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Masking', 'Embedding',
  'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D', 'DepthwiseConv2D',
  'Cropping2D', 'UpSampling2D', 'ZeroPadding2D',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'BatchNormalization', 'LayerNormalization',
  'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax',
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
  'Rescaling', 'CenterCrop', 'Resizing',
]);

/** Epsilon of the replacement layers; gamma is scaled by √(1+ε) so that ε cancels exactly in exact arithmetic. */
const EPSILON = 1e-3;

interface LayerEntry {
  class_name: string;
  config: Record<string, unknown>;
  [key: string]: unknown;
}

function isLayerEntry(v: unknown): v is LayerEntry {
  return typeof v === 'object' && v !== null && typeof (v as LayerEntry).class_name === 'string' && typeof (v as LayerEntry).config === 'object';
}

/** Every layer entry of a (possibly nested) topology, depth first. */
function* layerEntries(node: unknown): Generator<LayerEntry> {
  if (Array.isArray(node)) {
    for (const item of node) yield* layerEntries(item);
    return;
  }
  if (!isLayerEntry(node)) return;
  yield node;
  const cfg = node.config as unknown;
  if (Array.isArray(cfg)) yield* layerEntries(cfg); // tfjs 1.x Sequential: config is the layer list
  else if (cfg && typeof cfg === 'object' && Array.isArray((cfg as { layers?: unknown }).layers)) yield* layerEntries((cfg as { layers: unknown[] }).layers);
}

/** The live layer with this name, searching nested models. */
export function findLayer(model: tf.LayersModel, name: string): tf.layers.Layer | null {
  for (const layer of model.layers) {
    if (layer.name === name) return layer;
    if (layer instanceof tf.LayersModel) {
      const inner = findLayer(layer, name);
      if (inner) return inner;
    }
  }
  return null;
}

/** Per-channel a, b with layer(x) = a·x + b at inference, or null if the layer is not such a map. */
export function probeChannelAffine(layer: tf.layers.Layer): { scale: Float32Array; shift: Float32Array } | null {
  let inShape: (number | null)[];
  try {
    const input = layer.input;
    if (Array.isArray(input)) return null;
    inShape = input.shape;
  } catch {
    return null; // called on several inputs: not a single-tensor map
  }
  const shape = [2, ...inShape.slice(1).map((d) => d ?? 3)];
  const channels = shape[shape.length - 1];
  const run = (x: tf.Tensor): tf.Tensor => layer.apply(x, { training: false }) as tf.Tensor;
  const [scale, shift, err] = tf.tidy(() => {
    const y0 = run(tf.zeros(shape));
    const y1 = run(tf.ones(shape));
    if (!tf.util.arraysEqual(y0.shape, shape)) return [tf.zeros([channels]), tf.zeros([channels]), tf.scalar(Infinity)];
    const b = y0.reshape([-1, channels]).slice([0, 0], [1, channels]).reshape([channels]);
    const a = y1.reshape([-1, channels]).slice([0, 0], [1, channels]).reshape([channels]).sub(b);
    const x = tf.randomNormal(shape, 0, 2, 'float32', 7);
    const actual = run(x);
    const e = actual.sub(x.mul(a).add(b)).abs().sub(actual.abs().mul(1e-4)).max();
    return [a, b, e];
  });
  const ok = (err.dataSync()[0] ?? Infinity) <= 1e-4;
  const result = ok ? { scale: scale.dataSync() as Float32Array, shift: shift.dataSync() as Float32Array } : null;
  tf.dispose([scale, shift, err]);
  return result;
}

export interface StandardizeReport {
  /** Layers replaced: name and original class. */
  replaced: { name: string; className: string }[];
}

/** Replace every non-standard layer of the snapshot by an equivalent standard BatchNormalization. */
export function standardizeSnapshot(model: tf.LayersModel, snapshot: LayersSnapshot): { snapshot: LayersSnapshot; report: StandardizeReport } {
  const topology = structuredClone(snapshot.topology);
  let weights: NamedWeight[] = [...snapshot.weights];
  const replaced: StandardizeReport['replaced'] = [];
  for (const entry of layerEntries(topology)) {
    if (STANDARD_LAYER_CLASSES.has(entry.class_name)) continue;
    const name = String(entry.config.name ?? '');
    const layer = findLayer(model, name);
    const affine = layer ? probeChannelAffine(layer) : null;
    if (!layer || !affine) {
      throw new LabError('EXPORT_FAILED', msg('error.export.nonStandardLayer', { name, className: entry.class_name }), { layer: name, className: entry.class_name });
    }
    const oldNames = new Set(layer.weights.map((w) => w.originalName));
    const firstOld = layer.weights[0]?.originalName;
    const prefix = firstOld ? firstOld.slice(0, firstOld.lastIndexOf('/') + 1) : `${name}/`;
    const kept = keptStatistics(entry, weights, oldNames, prefix, affine);
    const c = affine.scale.length;
    const root = Math.sqrt(1 + EPSILON);
    const fresh: NamedWeight[] = kept?.weights ?? [
      { name: `${prefix}gamma`, shape: [c], dtype: 'float32', values: affine.scale.map((a) => a * root) },
      { name: `${prefix}beta`, shape: [c], dtype: 'float32', values: affine.shift },
      { name: `${prefix}moving_mean`, shape: [c], dtype: 'float32', values: new Float32Array(c) },
      { name: `${prefix}moving_variance`, shape: [c], dtype: 'float32', values: new Float32Array(c).fill(1) },
    ];
    const at = weights.findIndex((w) => oldNames.has(w.name));
    weights = weights.filter((w) => !oldNames.has(w.name));
    weights.splice(at < 0 ? weights.length : at, 0, ...fresh);
    const keep: Record<string, unknown> = {};
    for (const key of ['batch_input_shape', 'dtype', 'trainable']) if (key in entry.config) keep[key] = entry.config[key];
    entry.config = { ...keep, name, axis: -1, momentum: 0.99, epsilon: kept?.epsilon ?? EPSILON, center: true, scale: true };
    entry.class_name = 'BatchNormalization';
    replaced.push({ name, className: layer.getClassName() });
  }
  return { snapshot: { topology, weights }, report: { replaced } };
}

/**
 * A batch-norm-like layer (gamma, beta, moving_mean, moving_variance + epsilon, as SeedBatchNorm saves)
 * whose statistics reproduce the measured map keeps them: the export then reads like the trained model.
 */
function keptStatistics(
  entry: LayerEntry,
  weights: NamedWeight[],
  oldNames: Set<string>,
  prefix: string,
  affine: { scale: Float32Array; shift: Float32Array },
): { weights: NamedWeight[]; epsilon: number } | null {
  const epsilon = entry.config.epsilon;
  if (typeof epsilon !== 'number' || oldNames.size !== 4) return null;
  const byName = new Map(weights.filter((w) => oldNames.has(w.name)).map((w) => [w.name, w]));
  const parts = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((k) => byName.get(`${prefix}${k}`));
  if (parts.some((p) => !p || p.values.length !== affine.scale.length)) return null;
  const [gamma, beta, mean, variance] = parts as NamedWeight[];
  for (let c = 0; c < affine.scale.length; c++) {
    const a = gamma.values[c] / Math.sqrt(variance.values[c] + epsilon);
    const b = beta.values[c] - mean.values[c] * a;
    const tol = 1e-4 * (1 + Math.abs(a) + Math.abs(b));
    if (Math.abs(a - affine.scale[c]) > tol || Math.abs(b - affine.shift[c]) > tol * (1 + Math.abs(mean.values[c]))) return null;
  }
  return { weights: [gamma, beta, mean, variance], epsilon };
}
