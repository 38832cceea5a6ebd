// Registers the fast kernels over tfjs's 'cpu' backend (replacing its slow ones). Idempotent.
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterCpu, maxPoolGradCpu } from './kernels';

export const CPU_FAST_KERNELS: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilterCpu as unknown as tf.KernelFunc,
  MaxPoolGrad: maxPoolGradCpu as unknown as tf.KernelFunc,
};

let originals: Map<string, tf.KernelConfig> | null = null;

export function registerCpuFastKernels(): void {
  if (originals) return;
  originals = new Map();
  for (const [kernelName, kernelFunc] of Object.entries(CPU_FAST_KERNELS)) {
    const original = tf.getKernel(kernelName, 'cpu');
    if (original) {
      originals.set(kernelName, original);
      tf.unregisterKernel(kernelName, 'cpu');
    }
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc });
  }
}

/** Puts tfjs's own kernels back (so a test can compare against them in the same process). */
export function unregisterCpuFastKernels(): void {
  if (!originals) return;
  for (const kernelName of Object.keys(CPU_FAST_KERNELS)) {
    tf.unregisterKernel(kernelName, 'cpu');
    const original = originals.get(kernelName);
    if (original) tf.registerKernel(original);
  }
  originals = null;
}
