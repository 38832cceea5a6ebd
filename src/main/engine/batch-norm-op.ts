// A fused training-mode batch normalization op for backends that provide it (the oneDNN kernels): one kernel
// computes y, the batch mean and the biased batch variance per channel (last axis); one kernel computes the
// gradient. Replaces ~20 small ops forward and ~30 backward. Other backends keep the layer's composite path.
// A variant applies the ReLU that follows the normalisation in the same pass (and masks the gradient in the
// gradient's passes), saving a pass over the activations each way.
import * as tf from '@tensorflow/tfjs';

export const BN_TRAIN_KERNEL = 'LabBatchNormTrain';
export const BN_GRAD_KERNEL = 'LabBatchNormGrad';
/** The same with a ReLU after the normalisation, in the same passes: y = relu(BN(x)); its gradient needs β too. */
export const BN_RELU_TRAIN_KERNEL = 'LabBatchNormReluTrain';
export const BN_RELU_GRAD_KERNEL = 'LabBatchNormReluGrad';

const gradientsRegistered = new Set<string>();

function registerGradient(trainKernel: string, gradKernel: string, relu: boolean): void {
  if (gradientsRegistered.has(trainKernel)) return;
  gradientsRegistered.add(trainKernel);
  tf.registerGradient({
    kernelName: trainKernel,
    inputsToSave: relu ? ['x', 'gamma', 'beta'] : ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, gamma, ...rest] = saved as tf.Tensor[];
      const [beta, mean, variance] = relu ? rest : [undefined, ...rest];
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      // One kernel gives all three gradients. It runs here, in the backward pass's scope, not inside the
      // per-input thunks: tfjs runs each thunk in its own tidy, which would dispose the other two results.
      const inputs: tf.NamedTensorMap = { dy, x, gamma, mean: mean!, variance: variance! };
      if (beta) inputs.beta = beta;
      const [dx, dgamma, dbeta] = tf.engine().runKernel(gradKernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}

const hasKernels = (...names: string[]): boolean => names.every((k) => tf.getKernel(k, tf.getBackend()) !== undefined);

/** Whether the active backend has the fused kernels. */
export function hasFusedBatchNorm(): boolean {
  return hasKernels(BN_TRAIN_KERNEL, BN_GRAD_KERNEL);
}

/** Whether the active backend has the fused batch norm + ReLU kernels. */
export function hasFusedBatchNormRelu(): boolean {
  return hasKernels(BN_RELU_TRAIN_KERNEL, BN_RELU_GRAD_KERNEL);
}

/**
 * Training-mode batch normalization over every axis but the last: y = γ·(x − μ_B)/√(σ²_B + ε) + β with the
 * biased batch variance σ²_B (the document's normalisation), followed by y = relu(y) when `relu` is set.
 * Returns null when the backend lacks the kernels (for `relu`, the fused batch norm + ReLU kernels).
 */
export function fusedBatchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu = false,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } | null {
  if (x.dtype !== 'float32' || !(relu ? hasFusedBatchNormRelu() : hasFusedBatchNorm())) return null;
  const [trainKernel, gradKernel] = relu ? [BN_RELU_TRAIN_KERNEL, BN_RELU_GRAD_KERNEL] : [BN_TRAIN_KERNEL, BN_GRAD_KERNEL];
  registerGradient(trainKernel, gradKernel, relu);
  const [y, mean, variance] = tf.engine().runKernel(trainKernel, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
