// Dropout multipliers (engine/dropout-op.ts) through the native addon (native/onednn/src/eltwise.h).
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel } from './conv';

export function dropoutMaskNative(addon: OneDnnAddon): Kernel {
  return ({ backend, attrs }) => {
    const shape = attrs.shape as number[];
    const out = alloc(backend, shape);
    addon.dropoutMask!(shape.reduce((a, b) => a * b, 1), attrs.seed as number, attrs.rate as number, attrs.scale as number, f32(backend, out));
    return out;
  };
}
