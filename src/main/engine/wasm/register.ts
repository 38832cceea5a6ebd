// Completes the wasm backend for training: the gradient kernels it lacks (or has only as slow scalar loops)
// are registered over it. Idempotent; call after the wasm backend is registered.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input';
import {
  depthwiseBackpropFilterWasm,
  depthwiseBackpropInputWasm,
  unsortedSegmentSumWasm,
} from './depthwise-and-segments';
import type { WasmBackend } from './heap';
import { makeIdentity } from './identity';
import { maxPoolGradWasm } from './max-pool-grad';
import { makeLeadingReduce } from './reduce';
import { tileWasm } from './tile';

type WasmKernel = (args: { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap }) =>
  | tf.TensorInfo
  | tf.TensorInfo[];

function kernels(): Record<string, WasmKernel> {
  return {
    Conv2DBackpropFilter: conv2dBackpropFilterWasm,
    Conv2DBackpropInput: conv2dBackpropInputWasm,
    MaxPoolGrad: maxPoolGradWasm,
    Tile: tileWasm,
    Sum: makeLeadingReduce('sum', tf.getKernel('Sum', 'wasm')),
    Mean: makeLeadingReduce('mean', tf.getKernel('Mean', 'wasm')),
    DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm,
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm,
    UnsortedSegmentSum: unsortedSegmentSumWasm,
    Identity: makeIdentity(tf.getKernel('Identity', 'wasm')),
  };
}

export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'Tile',
  'Sum',
  'Mean',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Identity',
];

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const [kernelName, fn] of Object.entries(kernels())) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (stock) tf.unregisterKernel(kernelName, 'wasm');
    // The stock kernel's setup binds its wasm function when the backend starts; ours may call it as a fallback.
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc, setupFunc: stock?.setupFunc, disposeFunc: stock?.disposeFunc });
  }
  registered = true;
}
