// ReLU's gradient as one kernel on backends that provide it (the oneDNN addon): dx = dy · step(x) in a single
// pass, where tfjs's own gradient runs Step, Cast and Multiply (three passes and two temporary tensors over every
// activation). Replaces tfjs's gradient for Relu once registered; on other backends, or for non-float inputs, it
// computes exactly what tfjs's gradient does.
import * as tf from '@tensorflow/tfjs';

export const RELU_GRAD_KERNEL = 'LabReluGrad';

let registered = false;

/** Whether the active backend has the fused kernel. */
export function hasFusedReluGrad(): boolean {
  return tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
}

/** Installs the Relu gradient that uses the fused kernel when the backend has it. Idempotent. */
export function registerFusedReluGradient(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      const g = dy as tf.Tensor;
      return {
        x: () =>
          x.dtype === 'float32' && g.dtype === 'float32' && hasFusedReluGrad()
            ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { x, dy: g }) as tf.Tensor)
            : tf.mul(g, tf.cast(tf.step(x), 'float32')),
      };
    },
  });
}
