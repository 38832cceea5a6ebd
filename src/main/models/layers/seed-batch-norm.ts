/**
 * Batch normalization exactly as the source document defines it (docs/CONCEPTS.md#batch-normalization):
 *   training:  μ_B, σ²_B per channel over batch × height × width;  x̂ = (x − μ_B)/√(σ²_B + ε);  y = γ·x̂ + β
 *              μ ← α·μ + (1−α)·μ_B ;  σ² ← α·σ² + (1−α)·m/(m−1)·σ²_B   (m = values per channel in the batch)
 *   inference: x̂ = (x − μ)/√(σ² + ε) with the running statistics, i.e. the unbiased variance estimate.
 * tfjs's BatchNormalization keeps the biased σ²_B; this layer differs only there. A frozen layer
 * (trainable = false) always uses its running statistics, as Keras 2.x does for fine-tuning, so a frozen
 * pretrained backbone is not disturbed by small batches. The weights are named like Keras's
 * (gamma, beta, moving_mean, moving_variance) so Keras/tfjs checkpoints load into it unchanged.
 * The class name 'SeedBatchNorm' is part of the saved format: the ONNX export maps it to BatchNormalization.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormTraining } from '../../engine/batch-norm-op';

export interface SeedBatchNormArgs {
  /** α: weight of the old running statistic (document: 0.9 or 0.99). */
  momentum?: number;
  epsilon?: number;
  name?: string;
  trainable?: boolean;
  /** Accepted so Keras BatchNormalization configs convert directly; only the last axis is supported. */
  axis?: number;
}

type Kwargs = Record<string, unknown>;

/**
 * Outputs of training-mode calls that already include the ReLU that follows the layer (see `fuseRelu`): the
 * ReLU layer passes them through unchanged (training/train-step.ts pairs the two layers).
 */
export const reluApplied = new WeakSet<tf.Tensor>();

export class SeedBatchNorm extends tf.layers.Layer {
  static readonly className = 'SeedBatchNorm';
  readonly momentum: number;
  readonly epsilon: number;
  /**
   * Set by the training step when this layer's only consumer is a ReLU: a training call then returns
   * relu(BN(x)) from one fused kernel where the backend has it, and marks the result in `reluApplied`.
   * Not part of the saved config; inference calls are unaffected.
   */
  fuseRelu = false;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: SeedBatchNormArgs = {}) {
    const { momentum, epsilon, axis, ...base } = args;
    super(base);
    if (axis !== undefined && axis !== -1 && axis !== 3 && axis !== 1) {
      throw new Error(`SeedBatchNorm normalizes the last (channel) axis only; got axis ${axis}.`);
    }
    this.momentum = momentum ?? 0.9;
    this.epsilon = epsilon ?? 1e-5;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new Error(`${this.name}: the channel dimension must be known.`);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const training = kwargs['training'] === true && this.trainable;
      const gamma = this.gamma.read();
      const beta = this.beta.read();
      if (!training) {
        const xHat = tf.mul(tf.sub(x, this.movingMean.read()), tf.rsqrt(tf.add(this.movingVariance.read(), this.epsilon)));
        return tf.add(tf.mul(xHat, gamma), beta);
      }
      // One fused kernel where the backend has it (oneDNN), with the following ReLU when it may be fused, else
      // the same formula as composite ops.
      const withRelu = this.fuseRelu ? fusedBatchNormTraining(x, gamma, beta, this.epsilon, true) : null;
      const { y, mean, variance } = withRelu ?? fusedBatchNormTraining(x, gamma, beta, this.epsilon) ?? this.composite(x, gamma, beta);
      if (withRelu) reluApplied.add(y);
      const m = x.size / x.shape[x.shape.length - 1]!;
      // m = 1 (a dense layer fed one example) has no unbiased estimate; the trainer warns about batch size 1.
      const unbiased = m > 1 ? m / (m - 1) : 1;
      const a = this.momentum;
      this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), a), tf.mul(mean, 1 - a)));
      this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), a), tf.mul(variance, (1 - a) * unbiased)));
      return y;
    });
  }

  private composite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const xHat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    return { y: tf.add(tf.mul(xHat, gamma), beta), mean, variance };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, axis: -1 };
  }
}

tf.serialization.registerClass(SeedBatchNorm);

/** Whether a model contains batch normalization in training mode (trainable SeedBatchNorm or tfjs BN). */
export function hasTrainableBatchNorm(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l.trainable && (l instanceof SeedBatchNorm || l.getClassName() === 'BatchNormalization'));
}

/** The warning the document asks for: training-mode BN on one example normalizes it to β. */
export function batchNormBatchSizeWarning(model: tf.LayersModel, batchSize: number): string | null {
  if (batchSize !== 1 || !hasTrainableBatchNorm(model)) return null;
  return (
    'Batch size 1 with batch normalization: each batch statistic comes from a single image, so in training ' +
    'mode every feature is normalized to β and the running statistics are meaningless. Use a batch size of at least 8, ' +
    'or turn batch normalization off.'
  );
}
