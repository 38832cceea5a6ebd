// Conv2D, FusedConv2D (bias, ReLU) and both convolution gradients on oneDNN, over tensors on the wasm heap.
// Anything oneDNN cannot express here (NCHW, other fused activations, odd padding) goes to the kernel that
// was registered before (XNNPACK or the lab's wasm kernels).
import * as tf from '@tensorflow/tfjs';
import { alloc, f32, type WasmBackend } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import { convParams } from './conv-params';
import { runNative } from './run-native';

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap };
export type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

type Shape4 = [number, number, number, number];

function forwardInfo(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | number | undefined) ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
  );
}

export function conv2dOneDnn(addon: OneDnnAddon, fallback: Kernel, fused: boolean): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const filter = inputs.filter!;
    const bias = fused ? inputs.bias : undefined;
    const activation = fused ? ((attrs.activation as string | undefined) ?? 'linear') : 'linear';
    const simpleBias = !bias || (bias.shape.length === 1 && bias.shape[0] === filter.shape[3]);
    if (attrs.dataFormat === 'NCHW' || !simpleBias || (activation !== 'linear' && activation !== 'relu') || x.dtype !== 'float32') {
      return fallback(args);
    }
    const info = forwardInfo(x, filter, attrs);
    const p = convParams(info);
    if (!p) return fallback(args);
    const y = alloc(backend, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
    const name = fused ? 'FusedConv2D' : 'Conv2D';
    return runNative(name, args, y, () => addon.convForward(p, f32(backend, x), f32(backend, filter), bias ? f32(backend, bias) : null, activation === 'relu', f32(backend, y)), fallback);
  };
}

export function conv2dBackpropInputOneDnn(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const dy = inputs.dy!;
    const filter = inputs.filter!;
    const inputShape = attrs.inputShape as Shape4;
    if (attrs.dataFormat === 'NCHW') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as Shape4,
      attrs.strides as [number, number],
      1,
      attrs.pad as 'same',
      attrs.dimRoundingMode as 'round' | undefined,
    );
    const p = convParams(info);
    if (!p) return fallback(args);
    const dx = alloc(backend, inputShape);
    return runNative('Conv2DBackpropInput', args, dx, () => addon.convBackwardData(p, f32(backend, dy), f32(backend, filter), f32(backend, dx)), fallback);
  };
}

export function conv2dBackpropFilterOneDnn(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const dy = inputs.dy!;
    const filterShape = attrs.filterShape as Shape4;
    if (attrs.dataFormat === 'NCHW') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as Shape4,
      filterShape,
      attrs.strides as [number, number],
      1,
      attrs.pad as 'same',
      attrs.dimRoundingMode as 'round' | undefined,
    );
    const p = convParams(info);
    if (!p) return fallback(args);
    const dw = alloc(backend, filterShape);
    return runNative('Conv2DBackpropFilter', args, dw, () => addon.convBackwardWeights(p, f32(backend, x), f32(backend, dy), f32(backend, dw)), fallback);
  };
}
