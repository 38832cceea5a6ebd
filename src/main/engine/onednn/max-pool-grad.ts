// MaxPool and MaxPoolGrad through the native addon (OpenMP loops over NHWC images; see native/onednn/src/max_pool.h).
import * as tf from '@tensorflow/tfjs';
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel, KernelArgs } from './conv';
import { runNative } from './run-native';

/** The pooling geometry as the addon's params, or null where the previous kernel must do it (dilation, non-float). */
function poolParams(x: tf.TensorInfo, attrs: KernelArgs['attrs']): { info: tf.backend_util.Conv2DInfo; p: Int32Array } | null {
  if (x.dtype !== 'float32' || x.shape.length !== 4) return null;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize as [number, number] | number,
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const p = Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  ]);
  return { info, p };
}

export function maxPoolNative(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const g = poolParams(x, attrs);
    if (!g) return fallback(args);
    const { info, p } = g;
    const y = alloc(backend, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
    return runNative('MaxPool', args, y, () => addon.maxPool!(p, f32(backend, x), f32(backend, y)), fallback);
  };
}

export function maxPoolGradNative(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const dy = inputs.dy!;
    const x = inputs.input!;
    const g = poolParams(x, attrs);
    if (!g) return fallback(args);
    const dx = alloc(backend, x.shape);
    return runNative('MaxPoolGrad', args, dx, () => addon.maxPoolGrad(g.p, f32(backend, x), f32(backend, dy), f32(backend, dx)), fallback);
  };
}
