// MaxPoolGrad through the native addon (an OpenMP loop; see native/onednn/src/max_pool.h).
import * as tf from '@tensorflow/tfjs';
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel } from './conv';
import { runNative } from './run-native';

export function maxPoolGradNative(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const dy = inputs.dy!;
    const x = inputs.input!;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize as [number, number] | number,
      attrs.strides as [number, number] | number,
      1,
      attrs.pad as 'same',
      attrs.dimRoundingMode as 'round' | undefined,
    );
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || x.dtype !== 'float32') return fallback(args);
    const p = Int32Array.from([
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    ]);
    const dx = alloc(backend, x.shape);
    return runNative('MaxPoolGrad', args, dx, () => addon.maxPoolGrad(p, f32(backend, x), f32(backend, dy), f32(backend, dx)), fallback);
  };
}
