/**
 * One optimisation step of the lab's training loop, shared by the trainer and the benchmark (so `npm run bench`
 * times exactly what a run does): forward on the logits view in training mode, cross-entropy, gradients of the
 * trainable variables, L2 decay, clipping, and the document's optimizer rule.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { seededDropout } from '../engine/dropout-op';
import { LOGITS_LAYER } from '../models';
import { reluApplied, SeedBatchNorm } from '../models/layers/seed-batch-norm';
import { PROB_EPSILON } from './evaluate';
import { clipByGlobalNorm, RuleOptimizer } from './rule-optimizer';
import { seedSource } from './seeded-random';

export interface StepResult {
  /** Mean loss of the batch before the update; NaN/Inf means no update was made. */
  loss: number;
  /** Fraction of the batch whose arg-max matched the label's. */
  accuracy: number;
}

/**
 * Mean categorical cross-entropy (works with soft mixup labels too). From logits via log-softmax when the model
 * exposes them, so divergence surfaces as NaN/Inf; otherwise from probabilities with Keras's clipping.
 */
export function crossEntropy(y: tf.Tensor, out: tf.Tensor, fromLogits: boolean, classWeights?: tf.Tensor1D): tf.Scalar {
  const logP = fromLogits ? tf.logSoftmax(out) : tf.log(tf.clipByValue(out, PROB_EPSILON, 1 - PROB_EPSILON));
  const perImage = tf.neg(tf.sum(tf.mul(y, logP), -1));
  if (!classWeights) return tf.mean(perImage) as tf.Scalar;
  // Each image weighs its (possibly mixed) label's class weight; the mean is Σ w·loss / Σ w.
  const w = tf.sum(tf.mul(y, classWeights), -1);
  return tf.div(tf.sum(tf.mul(w, perImage)), tf.sum(w)) as tf.Scalar;
}

/** Kernels get weight decay; biases and batch-norm γ/β do not (standard practice, and what AdamW papers do). */
function decays(v: tf.LayerVariable): boolean {
  return /kernel$/.test(v.originalName) || /kernel$/.test(v.name);
}

/** tfjs's Dropout keeps the seed it passes to tf.dropout in a public field the typings do not show. */
type SeededLayer = tf.layers.Layer & { seed?: number };

/** The Dropout layers of a model, nested models included, in the order a forward pass calls them. */
export function dropoutLayers(model: tf.LayersModel): SeededLayer[] {
  return model.layers.flatMap((l): SeededLayer[] => (l instanceof tf.LayersModel ? dropoutLayers(l) : l.getClassName() === 'Dropout' ? [l] : []));
}

type DropoutFields = { rate: number; noiseShape?: unknown };
const seededDropoutLayers = new WeakSet<tf.layers.Layer>();

/**
 * Routes a Dropout layer's training-mode call through the engine's seeded mask (engine/dropout-op.ts: one native
 * kernel on the oneDNN path, the same mask from a loop elsewhere) instead of tf.dropout's per-value JS draws and
 * three more ops. Inference calls, layers with a noise shape, and calls without a seed keep tfjs's own path.
 */
function useSeededDropout(layer: SeededLayer): void {
  const { rate, noiseShape } = layer as unknown as DropoutFields;
  if (seededDropoutLayers.has(layer) || noiseShape != null || !(rate > 0 && rate < 1)) return;
  seededDropoutLayers.add(layer);
  const original = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const seed = layer.seed;
    if (kwargs?.training !== true || seed === undefined) return original(inputs, kwargs);
    return seededDropout(Array.isArray(inputs) ? inputs[0]! : inputs, rate, seed);
  };
}

/** The fields of tfjs's Conv2D layer that its call reads (the typings keep them protected). */
type ConvFields = {
  kernel: tf.LayerVariable;
  useBias: boolean;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: [number, number];
};
const plainConvLayers = new WeakSet<tf.layers.Layer>();

/**
 * tfjs's Conv2D layer runs fused.conv2d, whose gradient computes the input's gradient eagerly, also for the first
 * convolution, whose input (the images) needs none: a whole backward-data convolution per step for nothing. For
 * the lab's convolutions without bias or activation (batch norm follows them) a training call runs the plain
 * conv2d instead — the same forward kernel — whose gradient tfjs computes only where something needs it.
 */
function usePlainConv(layer: tf.layers.Layer): void {
  if (plainConvLayers.has(layer) || layer.getClassName() !== 'Conv2D') return;
  const f = layer as unknown as ConvFields;
  if (f.useBias || f.activation.getClassName() !== 'linear' || f.dataFormat !== 'channelsLast' || (f.padding !== 'same' && f.padding !== 'valid')) return;
  plainConvLayers.add(layer);
  const original = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs?.training !== true || x.rank !== 4) return original(inputs, kwargs);
    return tf.conv2d(x as tf.Tensor4D, f.kernel.read() as tf.Tensor4D, f.strides, f.padding as 'same' | 'valid', 'NHWC', f.dilationRate);
  };
}

const passThroughRelus = new WeakSet<tf.layers.Layer>();

/**
 * Pairs a batch normalization with the ReLU activation that is its only consumer, so that a training step
 * computes relu(BN(x)) and its gradient in the normalisation's own passes (engine/batch-norm-op.ts) instead of
 * two more passes over the activations. The ReLU layer then passes the already-rectified tensor through; it
 * applies itself to anything else (inference, backends without the fused kernels, other inputs).
 */
function fuseBatchNormRelu(layer: tf.layers.Layer, outputs: readonly tf.SymbolicTensor[]): void {
  if (!(layer instanceof SeedBatchNorm) || !layer.trainable || layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1) return;
  if (outputs.includes(layer.output as tf.SymbolicTensor)) return;
  const relu = layer.outboundNodes[0]!.outboundLayer;
  if (relu.getClassName() !== 'Activation' || relu.getConfig().activation !== 'relu' || relu.inboundNodes.length !== 1) return;
  layer.fuseRelu = true;
  if (passThroughRelus.has(relu)) return;
  passThroughRelus.add(relu);
  const original = relu.call.bind(relu);
  relu.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    // A reshape to its own shape shares the data, both ways (returning x would make Layer.apply clone it, and a
    // clone's gradient is a Cast that copies the gradient).
    return kwargs?.training === true && reluApplied.has(x) ? tf.reshape(x, x.shape) : original(inputs, kwargs);
  };
}

/** Every layer of a model, nested models included. */
function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? allLayers(l) : [l]));
}

export class TrainStep {
  readonly optimizer: RuleOptimizer;
  /** The trainable variables, in the optimizer's order (the model's trainable weights). */
  protected readonly vars: tf.Variable[];
  private readonly dropouts: SeededLayer[];
  private readonly view: tf.LayersModel;
  private readonly fromLogits: boolean;
  /** Per-class loss weights as a tensor, when the run has them. */
  protected readonly classWeights: tf.Tensor1D | undefined;

  /** `classWeights`: per-class loss weights (see class-balance.ts), or null for the plain mean. */
  constructor(
    model: tf.LayersModel,
    private readonly config: Pick<TrainConfig, 'optimizer' | 'weightDecay' | 'clipNorm'>,
    classWeights: number[] | null = null,
  ) {
    this.classWeights = classWeights ? tf.keep(tf.tensor1d(classWeights, 'float32')) : undefined;
    // Training runs on a view of the same layers that ends at the logits (see models/scratch-models.ts).
    const logitsLayer = model.layers.find((l) => l.name === LOGITS_LAYER);
    this.fromLogits = logitsLayer !== undefined;
    this.view = logitsLayer ? tf.model({ inputs: model.inputs, outputs: logitsLayer.output as tf.SymbolicTensor }) : model;
    const trainable = model.trainableWeights;
    this.vars = trainable.map((w) => w.read() as tf.Variable);
    this.dropouts = dropoutLayers(model);
    this.dropouts.forEach(useSeededDropout);
    allLayers(model).forEach(usePlainConv);
    const outputs = [...model.outputs, ...this.view.outputs];
    allLayers(model).forEach((l) => fuseBatchNormRelu(l, outputs));
    this.optimizer = new RuleOptimizer(config.optimizer, this.vars, config.weightDecay, trainable.map(decays));
  }

  /** Frees the step's own tensors (the optimizer is disposed by its owner). */
  dispose(): void {
    this.classWeights?.dispose();
  }

  /** Trains on one batch (x, one-hot or mixed y) with learning rate `lr`; dropout masks drawn from `seed`. */
  async run(x: tf.Tensor, y: tf.Tensor, lr: number, seed: number): Promise<StepResult> {
    const n = x.shape[0]!;
    const held: { correct?: tf.Tensor } = {};
    // Each Dropout layer gets its mask's seed for this batch, in the order the forward pass calls them.
    const seeds = seedSource(seed);
    for (const layer of this.dropouts) layer.seed = seeds();
    const { value, grads } = tf.variableGrads(() => {
      const out = this.view.apply(x, { training: true }) as tf.Tensor;
      held.correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(y, -1)), 'float32')));
      return crossEntropy(y, out, this.fromLogits, this.classWeights);
    }, this.vars);
    const loss = (await value.data())[0]!;
    const accuracy = held.correct ? (await held.correct.data())[0]! / n : NaN;
    value.dispose();
    held.correct?.dispose();
    const ordered = this.vars.map((v) => grads[v.name]!);
    if (!Number.isFinite(loss)) {
      ordered.forEach((g) => g.dispose());
      return { loss, accuracy };
    }
    this.update(ordered, lr);
    return { loss, accuracy };
  }

  /**
   * The end of a step: L2 decay and clipping where they are on, then the optimizer's rule with learning rate `lr`.
   * Disposes `grads` (in the trainable variables' order) and every tensor it made.
   */
  protected update(grads: tf.Tensor[], lr: number): void {
    // L2 decay and clipping make new tensors only when they are on (copies would cost a pass over every gradient).
    let g = grads;
    const made: tf.Tensor[][] = [grads];
    const { weightDecay, clipNorm } = this.config;
    if (weightDecay.kind === 'l2' && weightDecay.value > 0) made.push((g = this.optimizer.withL2(g)));
    if (clipNorm !== null) made.push((g = clipByGlobalNorm(g, clipNorm).grads));
    this.optimizer.apply(g, lr);
    for (const list of made) list.forEach((t) => t.dispose());
  }
}
