// Registers the oneDNN kernels over the wasm backend (after the lab's wasm training kernels, which stay the
// fallback for what oneDNN cannot express). Idempotent.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BN_GRAD_KERNEL, BN_RELU_GRAD_KERNEL, BN_RELU_TRAIN_KERNEL, BN_TRAIN_KERNEL } from '../batch-norm-op';
import type { OneDnnAddon } from './addon';
import { setRegisteredAddon } from './active-addon';
import { batchNormGradOneDnn, batchNormTrainOneDnn } from './batch-norm';
import { conv2dBackpropFilterOneDnn, conv2dBackpropInputOneDnn, conv2dOneDnn, depthwiseOneDnn, type Kernel } from './conv';
import { matmulOneDnn } from './matmul';
import { maxPoolGradNative, maxPoolNative } from './max-pool-grad';
import { reluNative } from './relu';
import { OPTIMIZER_STEP_KERNEL } from '../optimizer-op';
import { optimizerStepNative } from './optimizer-step';
import { registerFusedReluGradient, RELU_GRAD_KERNEL } from '../relu-grad-op';
import { reluGradNative } from './relu-grad';
import { DROPOUT_MASK_KERNEL } from '../dropout-op';
import { dropoutMaskNative } from './dropout-mask';

export const ONEDNN_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNative',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'BatchMatMul',
  '_FusedMatMul',
  'MaxPoolGrad',
  'MaxPool',
  'Relu',
  BN_TRAIN_KERNEL,
  BN_GRAD_KERNEL,
  BN_RELU_TRAIN_KERNEL,
  BN_RELU_GRAD_KERNEL,
  OPTIMIZER_STEP_KERNEL,
  RELU_GRAD_KERNEL,
  DROPOUT_MASK_KERNEL,
] as const;

const previous = new Map<string, tf.KernelConfig>();
let registered = false;

function previousKernel(name: string): Kernel {
  return (args) => {
    const config = previous.get(name);
    if (!config) throw new Error(`no wasm kernel ${name} to fall back to`);
    return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
  };
}

export function registerOneDnnKernels(addon: OneDnnAddon): void {
  if (registered) return;
  registered = true;
  setRegisteredAddon(addon);
  const kernels: Record<(typeof ONEDNN_KERNELS)[number], Kernel> = {
    Conv2D: conv2dOneDnn(addon, previousKernel('Conv2D'), false),
    FusedConv2D: conv2dOneDnn(addon, previousKernel('FusedConv2D'), true),
    Conv2DBackpropInput: conv2dBackpropInputOneDnn(addon, previousKernel('Conv2DBackpropInput')),
    Conv2DBackpropFilter: conv2dBackpropFilterOneDnn(addon, previousKernel('Conv2DBackpropFilter')),
    DepthwiseConv2dNative: depthwiseOneDnn(addon, previousKernel('DepthwiseConv2dNative'), 'forward'),
    DepthwiseConv2dNativeBackpropInput: depthwiseOneDnn(addon, previousKernel('DepthwiseConv2dNativeBackpropInput'), 'input'),
    DepthwiseConv2dNativeBackpropFilter: depthwiseOneDnn(addon, previousKernel('DepthwiseConv2dNativeBackpropFilter'), 'filter'),
    BatchMatMul: matmulOneDnn(addon, previousKernel('BatchMatMul'), false),
    _FusedMatMul: matmulOneDnn(addon, previousKernel('_FusedMatMul'), true),
    MaxPoolGrad: maxPoolGradNative(addon, previousKernel('MaxPoolGrad')),
    MaxPool: maxPoolNative(addon, previousKernel('MaxPool')),
    Relu: reluNative(addon, previousKernel('Relu')),
    [BN_TRAIN_KERNEL]: batchNormTrainOneDnn(addon),
    [BN_GRAD_KERNEL]: batchNormGradOneDnn(addon),
    [BN_RELU_TRAIN_KERNEL]: batchNormTrainOneDnn(addon, true),
    [BN_RELU_GRAD_KERNEL]: batchNormGradOneDnn(addon, true),
    [OPTIMIZER_STEP_KERNEL]: optimizerStepNative(addon),
    [RELU_GRAD_KERNEL]: reluGradNative(addon),
    [DROPOUT_MASK_KERNEL]: dropoutMaskNative(addon),
  };
  for (const [kernelName, fn] of Object.entries(kernels)) {
    // An addon built before the depthwise entry points existed keeps the previous depthwise kernels.
    if (kernelName.startsWith('Depthwise') && typeof addon.depthwiseForward !== 'function') continue;
    // Likewise the fused optimizer update: without it the optimizer keeps its tensor path.
    if (kernelName === OPTIMIZER_STEP_KERNEL && typeof addon.optimizerStep !== 'function') continue;
    if (kernelName === RELU_GRAD_KERNEL && typeof addon.reluGrad !== 'function') continue;
    if (kernelName === DROPOUT_MASK_KERNEL && typeof addon.dropoutMask !== 'function') continue;
    if (kernelName === 'MaxPool' && typeof addon.maxPool !== 'function') continue;
    if (kernelName === 'Relu' && typeof addon.relu !== 'function') continue;
    if ((kernelName === BN_RELU_TRAIN_KERNEL || kernelName === BN_RELU_GRAD_KERNEL) && (typeof addon.batchNormReluForward !== 'function' || typeof addon.batchNormReluBackward !== 'function')) continue;
    const old = tf.getKernel(kernelName, 'wasm');
    if (old) {
      previous.set(kernelName, old);
      tf.unregisterKernel(kernelName, 'wasm');
    }
    // Keep the previous kernel's setup: it binds that kernel's wasm function when the backend starts, and the
    // previous kernel is our fallback.
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc, setupFunc: old?.setupFunc, disposeFunc: old?.disposeFunc });
  }
  // Relu's gradient takes the fused kernel where the backend has it (tfjs's three ops elsewhere).
  registerFusedReluGradient();
}

/**
 * Puts the kernels that were registered before back (the wasm path, the benchmark and tests switch paths in one
 * process). Does nothing when ours are not registered: the kernels there are then tfjs's and the lab's own.
 */
export function unregisterOneDnnKernels(): void {
  if (!registered) return;
  registered = false;
  setRegisteredAddon(null);
  for (const kernelName of ONEDNN_KERNELS) {
    if (!tf.getKernel(kernelName, 'wasm')) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    const old = previous.get(kernelName);
    if (old) tf.registerKernel(old);
  }
  previous.clear();
}
