// Conv2D, FusedConv2D (bias, ReLU) and both convolution gradients on oneDNN, over tensors on the wasm heap.
// Anything oneDNN cannot express here (NCHW, other fused activations, odd padding) goes to the kernel that
// was registered before (XNNPACK or the lab's wasm kernels).
import * as tf from '@tensorflow/tfjs';
import { alloc, f32, type WasmBackend } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import { convParams } from './conv-params';
import { epilogueOf } from './epilogue';
import { runNative } from './run-native';

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap };
export type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

type Shape4 = [number, number, number, number];

/** The geometry in oneDNN's terms, or null where the previous kernel must do it (NCHW, odd padding). */
function geometry(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap, depthwise = false) {
  if (attrs.dataFormat === 'NCHW') return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | number | undefined) ?? 1, // the gradient kernels have none: 1
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
    depthwise,
  );
  const p = convParams(info);
  return p ? { info, p } : null;
}

export function conv2dOneDnn(addon: OneDnnAddon, fallback: Kernel, fused: boolean): Kernel {
  const name = fused ? 'FusedConv2D' : 'Conv2D';
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const filter = inputs.filter!;
    const epilogue = epilogueOf(inputs, attrs, fused, filter.shape[3]!);
    const g = x.dtype === 'float32' && epilogue ? geometry(x.shape, filter.shape, attrs) : null;
    if (!g || !epilogue) return fallback(args);
    const { info, p } = g;
    const y = alloc(backend, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
    const bias = epilogue.bias ? f32(backend, epilogue.bias) : null;
    return runNative(name, args, y, () => addon.convForward(p, f32(backend, x), f32(backend, filter), bias, epilogue.relu, f32(backend, y)), fallback);
  };
}

export function conv2dBackpropInputOneDnn(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const inputShape = attrs.inputShape as Shape4;
    const g = geometry(inputShape, filter.shape, attrs);
    if (!g) return fallback(args);
    const dx = alloc(backend, inputShape);
    return runNative('Conv2DBackpropInput', args, dx, () => addon.convBackwardData(g.p, f32(backend, dy), f32(backend, filter), f32(backend, dx)), fallback);
  };
}

export function conv2dBackpropFilterOneDnn(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const filterShape = attrs.filterShape as Shape4;
    const g = geometry(x.shape, filterShape, attrs);
    if (!g) return fallback(args);
    const dw = alloc(backend, filterShape);
    return runNative('Conv2DBackpropFilter', args, dw, () => addon.convBackwardWeights(g.p, f32(backend, x), f32(backend, dy), f32(backend, dw)), fallback);
  };
}

/**
 * DepthwiseConv2dNative and both its gradients (MobileNetV2's depthwise layers) as oneDNN grouped convolutions,
 * one group per input channel.
 */
export function depthwiseOneDnn(addon: OneDnnAddon, fallback: Kernel, which: 'forward' | 'input' | 'filter'): Kernel {
  const name = { forward: 'DepthwiseConv2dNative', input: 'DepthwiseConv2dNativeBackpropInput', filter: 'DepthwiseConv2dNativeBackpropFilter' }[which];
  return (args) => {
    const { inputs, backend, attrs } = args;
    if (which === 'forward') {
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const g = x.dtype === 'float32' ? geometry(x.shape, filter.shape, attrs, true) : null;
      if (!g) return fallback(args);
      const y = alloc(backend, [g.info.batchSize, g.info.outHeight, g.info.outWidth, g.info.outChannels]);
      return runNative(name, args, y, () => addon.depthwiseForward(g.p, f32(backend, x), f32(backend, filter), f32(backend, y)), fallback);
    }
    if (which === 'input') {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const inputShape = attrs.inputShape as Shape4;
      const g = geometry(inputShape, filter.shape, attrs, true);
      if (!g) return fallback(args);
      const dx = alloc(backend, inputShape);
      return runNative(name, args, dx, () => addon.depthwiseBackwardData(g.p, f32(backend, dy), f32(backend, filter), f32(backend, dx)), fallback);
    }
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const filterShape = attrs.filterShape as Shape4;
    const g = geometry(x.shape, filterShape, attrs, true);
    if (!g) return fallback(args);
    const dw = alloc(backend, filterShape);
    return runNative(name, args, dw, () => addon.depthwiseBackwardWeights(g.p, f32(backend, x), f32(backend, dy), f32(backend, dw)), fallback);
  };
}
