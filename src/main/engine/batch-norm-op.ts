// A fused training-mode batch normalization op for backends that provide it (the oneDNN kernels): one kernel
// computes y, the batch mean and the biased batch variance per channel (last axis); one kernel computes the
// gradient. Replaces ~20 small ops forward and ~30 backward. Other backends keep the layer's composite path.
import * as tf from '@tensorflow/tfjs';

export const BN_TRAIN_KERNEL = 'LabBatchNormTrain';
export const BN_GRAD_KERNEL = 'LabBatchNormGrad';

let gradientRegistered = false;

function registerGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: BN_TRAIN_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      // One kernel gives all three gradients. It runs here, in the backward pass's scope, not inside the
      // per-input thunks: tfjs runs each thunk in its own tidy, which would dispose the other two results.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BN_GRAD_KERNEL, { dy, x, gamma, mean, variance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}

/** Whether the active backend has the fused kernels. */
export function hasFusedBatchNorm(): boolean {
  return tf.getKernel(BN_TRAIN_KERNEL, tf.getBackend()) !== undefined && tf.getKernel(BN_GRAD_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * Training-mode batch normalization over every axis but the last: y = γ·(x − μ_B)/√(σ²_B + ε) + β with the
 * biased batch variance σ²_B (the document's normalisation). Returns null when the backend lacks the kernels.
 */
export function fusedBatchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } | null {
  if (!hasFusedBatchNorm() || x.dtype !== 'float32') return null;
  registerGradient();
  const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN_KERNEL, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
