/**
 * The training step of a plain dense head (a transfer head on cached embeddings: dropout, Dense layers with ReLU
 * or no activation, the logits), with its gradient written out instead of recorded by tfjs's autodiff.
 *
 * A head's step is a few small products; recording them on tfjs's tape, the backward pass through every layer's
 * bookkeeping (identities, reshapes, broadcast gradients) and the input's gradient cost more than the products
 * themselves (about 75 kernels a step where 30 do the same). This runs the same forward kernels as the layers (fused
 * matMul with bias, relu, the seeded dropout masks drawn in the same order from the same seeds), the loss exactly as
 * `crossEntropy`, and the gradient with the very operations tfjs's gradients of those kernels run, in their order —
 * so a run learns what it learned with TrainStep's recorded gradient (embedding-head.test.ts checks it) — then the
 * same L2, clipping and optimizer update as TrainStep. Any other head (batch norm, other activations, a shape it
 * does not know) keeps TrainStep.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { dropoutMask } from '../engine/dropout-op';
import { hasFusedReluGrad, RELU_GRAD_KERNEL } from '../engine/relu-grad-op';
import { LOGITS_LAYER } from '../models';
import { seedSource } from './seeded-random';
import { TrainStep, type StepResult } from './train-step';

type Part =
  | { kind: 'dropout'; rate: number }
  | { kind: 'dense'; kernel: tf.LayerVariable; bias: tf.LayerVariable | null }
  | { kind: 'relu' };

/** The fields of tfjs's Dense and Dropout layers this reads (the typings keep them protected). */
type DenseFields = { kernel: tf.LayerVariable; bias: tf.LayerVariable | null; useBias: boolean; activation: { getClassName(): string } };
type DropoutFields = { rate: number; noiseShape?: unknown };

/** The head as a chain of parts from its rank-2 input to its logits, or null when it is anything else. */
function plainHead(model: tf.LayersModel): Part[] | null {
  const layers = model.layers;
  const input = model.inputs.length === 1 ? model.inputs[0]! : null;
  const logitsAt = layers.findIndex((l) => l.name === LOGITS_LAYER);
  if (!input || input.shape.length !== 2 || logitsAt < 1 || layers[0]!.getClassName() !== 'InputLayer') return null;
  // The model must end at softmax(logits), and every layer must take the previous one's output alone.
  const last = layers[layers.length - 1]!;
  if (logitsAt !== layers.length - 2 || last.getClassName() !== 'Activation' || last.getConfig().activation !== 'softmax') return null;
  const parts: Part[] = [];
  for (let i = 1; i <= logitsAt; i++) {
    const layer = layers[i]!;
    const nodes = layer.inboundNodes;
    if (nodes.length !== 1 || nodes[0]!.inboundLayers.length !== 1 || nodes[0]!.inboundLayers[0] !== layers[i - 1]) return null;
    const kind = layer.getClassName();
    if (kind === 'Dropout') {
      const { rate, noiseShape } = layer as unknown as DropoutFields;
      if (noiseShape != null || !(rate >= 0 && rate < 1)) return null;
      parts.push({ kind: 'dropout', rate });
    } else if (kind === 'Dense') {
      const f = layer as unknown as DenseFields;
      if (!layer.trainable || f.activation.getClassName() !== 'linear') return null;
      parts.push({ kind: 'dense', kernel: f.kernel, bias: f.useBias ? f.bias : null });
    } else if (kind === 'Activation' && ['relu', 'linear'].includes(layer.getConfig().activation as string)) {
      if (layer.getConfig().activation === 'relu') parts.push({ kind: 'relu' });
    } else {
      return null;
    }
  }
  // The step's variables are exactly the Dense layers' kernels and biases (nothing else trainable).
  const own = parts.flatMap((p) => (p.kind === 'dense' ? [p.kernel, ...(p.bias ? [p.bias] : [])] : []));
  const trainable = model.trainableWeights;
  if (own.length !== trainable.length || !own.every((v) => trainable.includes(v))) return null;
  return parts;
}

/** tfjs's gradient of relu at x (the fused kernel where the backend has it; engine/relu-grad-op.ts). */
function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return hasFusedReluGrad() ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { x, dy }) as tf.Tensor) : tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/** What the forward pass keeps for the backward one, per part. */
type Saved = { input: tf.Tensor; mask?: tf.Tensor };

export class DenseHeadStep extends TrainStep {
  private constructor(
    model: tf.LayersModel,
    stepConfig: Pick<TrainConfig, 'optimizer' | 'weightDecay' | 'clipNorm'>,
    classWeights: number[] | null,
    private readonly parts: Part[],
  ) {
    super(model, stepConfig, classWeights);
  }

  /** The written-out step for a plain dense head, or null (then TrainStep applies). */
  static for(model: tf.LayersModel, config: Pick<TrainConfig, 'optimizer' | 'weightDecay' | 'clipNorm'>, classWeights: number[] | null = null): DenseHeadStep | null {
    const parts = plainHead(model);
    return parts ? new DenseHeadStep(model, config, classWeights, parts) : null;
  }

  override async run(x: tf.Tensor, y: tf.Tensor, lr: number, seed: number): Promise<StepResult> {
    const n = x.shape[0]!;
    const seeds = seedSource(seed);
    const [loss, correct, ...grads] = tf.tidy(() => {
      // Forward, as the layers compute it in training mode; each Dropout layer draws its seed in order.
      const saved: Saved[] = [];
      let a = x;
      for (const p of this.parts) {
        let out: tf.Tensor;
        let mask: tf.Tensor | undefined;
        if (p.kind === 'dropout') {
          const s = seeds();
          if (p.rate === 0) continue;
          mask = dropoutMask(a.shape, p.rate, s);
          out = tf.mul(a, mask);
        } else if (p.kind === 'dense') {
          out = tf.fused.matMul({ a: a as tf.Tensor2D, b: p.kernel.read() as tf.Tensor2D, ...(p.bias ? { bias: p.bias.read() } : {}) });
        } else {
          out = tf.relu(a);
        }
        saved.push({ input: a, ...(mask ? { mask } : {}) });
        a = out;
      }
      const logits = a;
      // The loss as crossEntropy computes it from logits.
      const logP = tf.logSoftmax(logits);
      const perImage = tf.neg(tf.sum(tf.mul(y, logP), -1));
      const w = this.classWeights ? tf.sum(tf.mul(y, this.classWeights), -1) : null;
      const lossValue = w ? tf.div(tf.sum(tf.mul(w, perImage)), tf.sum(w)) : tf.mean(perImage);
      const correctCount = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(y, -1)), 'float32'));

      // Backward, with the operations of tfjs's gradients: each image's share of the loss (1/n, or w/Σw), then
      // through neg, sum and the product with y, then log-softmax (dy − Σdy · softmax).
      const share = w ? tf.neg(tf.mul(tf.div(tf.scalar(1), tf.sum(w)), w)).reshape([n, 1]) : tf.scalar(-1 / n);
      const dLogP = tf.mul(share, y);
      let dy = tf.sub(dLogP, tf.mul(tf.sum(dLogP, -1, true), tf.exp(logP)));
      const gradOf = new Map<tf.LayerVariable, tf.Tensor>();
      // Below the first Dense layer nothing is trained: no gradient flows into it (the embeddings are data).
      const firstDense = this.parts.findIndex((p) => p.kind === 'dense');
      for (let i = this.parts.length - 1, s = saved.length - 1; i >= firstDense; i--) {
        const p = this.parts[i]!;
        if (p.kind === 'dropout' && p.rate === 0) continue;
        const { input, mask } = saved[s--]!;
        const needsInput = i > firstDense;
        if (p.kind === 'dense') {
          gradOf.set(p.kernel, tf.matMul(input as tf.Tensor2D, dy as tf.Tensor2D, true, false));
          if (p.bias) gradOf.set(p.bias, tf.sum(dy, 0));
          if (needsInput) dy = tf.matMul(dy as tf.Tensor2D, p.kernel.read() as tf.Tensor2D, false, true);
        } else if (p.kind === 'relu') {
          if (needsInput) dy = reluGrad(dy, input);
        } else if (needsInput) {
          dy = tf.mul(dy, mask!);
        }
      }
      const byVariable = new Map<string, tf.Tensor>();
      for (const [v, g] of gradOf) byVariable.set((v.read() as tf.Variable).name, g);
      return [lossValue, correctCount, ...this.vars.map((v) => byVariable.get(v.name)!)];
    });
    const lossNumber = (await loss!.data())[0]!;
    const accuracy = (await correct!.data())[0]! / n;
    loss!.dispose();
    correct!.dispose();
    if (!Number.isFinite(lossNumber)) {
      grads.forEach((g) => g.dispose());
      return { loss: lossNumber, accuracy };
    }
    // L2 decay, clipping and the update: TrainStep's own.
    this.update(grads, lr);
    return { loss: lossNumber, accuracy };
  }
}
