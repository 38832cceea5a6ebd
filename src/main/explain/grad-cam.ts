/**
 * Class activation maps from gradients: where in the image a class's score comes from. This is LayerCAM
 * (Jiang et al. 2021), the gradient-weighted variant of Grad-CAM (Selvaraju et al. 2017) that suits both the
 * lab's CNN (feature map flattened into the classifier) and global-pooling models (ResNet, MobileNetV2
 * transfer): the activations A of the last convolutional block are multiplied, position by position, by the
 * positive part of ∂score/∂A, summed over channels, so only regions that raise the class's score light up.
 *
 * The model is split at that layer: a "body" model computes A (plus any tensor a later layer needs that does
 * not depend on A, e.g. a skip connection around it), and the rest of the graph is evaluated eagerly from A
 * layer by layer, so tf.grad can differentiate the score with respect to A. This works for any tfjs layers
 * graph the lab trains (scratch CNN/ResNet, MobileNetV2 transfer with its flattened backbone).
 * The score is the class's logit where the model has the lab's 'logits' layer (or a final softmax Activation),
 * else the log of its probability.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';

type Sym = tf.SymbolicTensor;
type LayerNode = { inputTensors: Sym[]; callArgs?: Record<string, unknown> };

/** Layers whose output is not a new feature map of their own (the block's activation before them is used). */
const PASS_THROUGH = new Set(['MaxPooling2D', 'AveragePooling2D', 'Dropout', 'SpatialDropout2D', 'ZeroPadding2D', 'GaussianNoise', 'GaussianDropout']);

export interface CamResult {
  /** Heat in [0, 1], row-major, at the feature map's resolution. */
  heat: Float32Array;
  width: number;
  height: number;
  layer: string;
  classIndex: number;
}

export interface CamOptions {
  /** The class to explain (default: the predicted one). */
  classIndex?: number;
  /** The layer to explain on (default: the last convolutional block, see camLayerName). */
  layer?: string;
  /** -1 weights the channels by the negated gradients ("what speaks against the class"); for tests and contrast. */
  gradientSign?: 1 | -1;
}

function spatial(shape: (number | null)[]): boolean {
  return shape.length === 4 && (shape[1] ?? 0) >= 2 && (shape[2] ?? 0) >= 2;
}

/** The layer Grad-CAM explains by default: the last one producing a feature map (H, W ≥ 2) that is not a pooling/dropout/padding of it. */
export function camLayerName(model: tf.LayersModel): string {
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i];
    if (PASS_THROUGH.has(layer.getClassName()) || layer.getClassName() === 'InputLayer') continue;
    const shape = layer.outputShape;
    if (Array.isArray(shape) && !Array.isArray(shape[0]) && spatial(shape as (number | null)[])) return layer.name;
  }
  throw new LabError('BAD_ARGUMENT', msg('explain.noConvLayer', { model: model.name }));
}

/** The node that produced t; null for a model input (an InputLayer's node lists the input as its own input). */
function nodeOf(t: Sym): LayerNode | null {
  if (t.sourceLayer.getClassName() === 'InputLayer') return null;
  const layer = t.sourceLayer as unknown as { inboundNodes: LayerNode[] };
  return layer.inboundNodes[t.nodeIndex] ?? null;
}

/** The tensor whose value is the score: the 'logits' layer's output, a final softmax's input, or the output. */
function scoreTensor(model: tf.LayersModel): { tensor: Sym; isLogit: boolean } {
  const logits = model.layers.find((l) => l.name === 'logits');
  if (logits) return { tensor: logits.output as Sym, isLogit: true };
  const out = model.outputs[0];
  const last = out.sourceLayer;
  if (last.getClassName() === 'Activation' && (last.getConfig() as { activation?: string }).activation === 'softmax') {
    const node = nodeOf(out);
    if (node) return { tensor: node.inputTensors[0], isLogit: true };
  }
  return { tensor: out, isLogit: false };
}

interface Split {
  body: tf.LayersModel;
  /** The tensors (besides A) the head needs, in the body's output order after A. */
  sides: Sym[];
  target: Sym;
  score: Sym;
  isLogit: boolean;
  layer: string;
}

const splits = new WeakMap<tf.LayersModel, Map<string, Split>>();

function splitAt(model: tf.LayersModel, layerName: string): Split {
  const cached = splits.get(model)?.get(layerName);
  if (cached) return cached;
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new LabError('BAD_ARGUMENT', msg('explain.unknownLayer', { layer: layerName }));
  }
  const target = layer.output as Sym;
  if (Array.isArray(target) || !spatial(target.shape)) throw new LabError('BAD_ARGUMENT', msg('explain.notSpatial', { layer: layerName }));
  const { tensor: score, isLogit } = scoreTensor(model);
  const depends = new Map<number, boolean>();
  const dependsOnTarget = (t: Sym): boolean => {
    if (t.id === target.id) return true;
    const known = depends.get(t.id);
    if (known !== undefined) return known;
    const node = nodeOf(t);
    const result = !!node && node.inputTensors.some(dependsOnTarget);
    depends.set(t.id, result);
    return result;
  };
  if (!dependsOnTarget(score)) throw new LabError('BAD_ARGUMENT', msg('explain.notOnPath', { layer: layerName }));
  const sides = new Map<number, Sym>();
  const visited = new Set<number>();
  const collect = (t: Sym): void => {
    if (t.id === target.id || visited.has(t.id)) return;
    visited.add(t.id);
    if (!dependsOnTarget(t)) {
      sides.set(t.id, t);
      return;
    }
    nodeOf(t)?.inputTensors.forEach(collect);
  };
  collect(score);
  const body = tf.model({ inputs: model.inputs, outputs: [target, ...sides.values()] });
  const split: Split = { body, sides: [...sides.values()], target, score, isLogit, layer: layerName };
  if (!splits.has(model)) splits.set(model, new Map());
  splits.get(model)!.set(layerName, split);
  return split;
}

/** The score tensor computed eagerly from A (and the side values), layer by layer, in inference mode. */
function evaluateHead(split: Split, a: tf.Tensor, sideValues: tf.Tensor[]): tf.Tensor {
  const values = new Map<number, tf.Tensor>([[split.target.id, a]]);
  split.sides.forEach((s, i) => values.set(s.id, sideValues[i]));
  const evaluate = (t: Sym): tf.Tensor => {
    const known = values.get(t.id);
    if (known) return known;
    const node = nodeOf(t);
    if (!node) throw new Error(`Grad-CAM: no value for the model input ${t.name}`); // inputs never depend on the target
    const inputs = node.inputTensors.map(evaluate);
    const out = t.sourceLayer.apply(inputs.length === 1 ? inputs[0] : inputs, { ...(node.callArgs ?? {}), training: false }) as tf.Tensor | tf.Tensor[];
    const value = Array.isArray(out) ? out[t.tensorIndex] : out;
    values.set(t.id, value);
    return value;
  };
  return evaluate(split.score);
}

/** Grad-CAM of one normalised image ([1, H, W, C]) for a class. */
export function gradCam(model: tf.LayersModel, image: tf.Tensor4D, opts: CamOptions = {}): CamResult {
  const layerName = opts.layer ?? camLayerName(model);
  const split = splitAt(model, layerName);
  const sign = opts.gradientSign ?? 1;
  return tf.tidy(() => {
    const outs = split.body.predict(image) as tf.Tensor | tf.Tensor[];
    const [a, ...sideValues] = Array.isArray(outs) ? outs : [outs];
    let classIndex = opts.classIndex;
    if (classIndex === undefined) classIndex = (evaluateHead(split, a, sideValues).argMax(-1).dataSync() as Int32Array)[0];
    const c = classIndex;
    const scoreOf = (x: tf.Tensor): tf.Scalar => {
      const s = evaluateHead(split, x, sideValues) as tf.Tensor2D;
      const v = s.slice([0, c], [1, 1]).reshape([]) as tf.Scalar;
      return split.isLogit ? v : (v.add(1e-12).log() as tf.Scalar);
    };
    const grads = tf.grad(scoreOf)(a).mul(sign);
    // LayerCAM: each position's activations weighted by the positive gradients at that position. Grad-CAM's
    // spatially averaged weights suit a global-pooling head; the lab's CNN flattens its feature map into
    // the classifier, where every position has its own weights, and averaging them loses where they point.
    const cam = a.mul(grads.relu()).sum(-1).relu().squeeze([0]) as tf.Tensor2D; // [h, w]
    const max = cam.max().dataSync()[0];
    const heat = (max > 0 ? cam.div(max) : cam).dataSync() as Float32Array;
    const [height, width] = cam.shape;
    return { heat: Float32Array.from(heat), width, height, layer: layerName, classIndex: c };
  });
}

/** The heat resized (bilinearly) to size × size, for overlays and for measuring where it falls. */
export function upsampleHeat(cam: Pick<CamResult, 'heat' | 'width' | 'height'>, size: number): Float32Array {
  return tf.tidy(() => {
    const t = tf.tensor4d(cam.heat, [1, cam.height, cam.width, 1]);
    const up = tf.image.resizeBilinear(t, [size, size], false, true).clipByValue(0, 1);
    return Float32Array.from(up.dataSync());
  });
}
