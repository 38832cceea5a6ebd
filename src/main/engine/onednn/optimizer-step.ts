// The fused optimizer update (engine/optimizer-op.ts) through the native addon (native/onednn/src/optimizer.h),
// for variables on the wasm heap. Outputs are fresh tensors, so a variable's old value is never written in place.
import { OPTIMIZER_SLOT_COUNT } from '../optimizer-op';
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel } from './conv';

export function optimizerStepNative(addon: OneDnnAddon): Kernel {
  return ({ inputs, backend, attrs }) => {
    const theta = inputs.theta!;
    const g = inputs.g!;
    const rule = attrs.rule as number;
    const slots = OPTIMIZER_SLOT_COUNT[rule];
    if (slots === undefined) throw new Error(`unknown optimizer rule ${rule}`);
    if (theta.dtype !== 'float32' || g.dtype !== 'float32') throw new Error('the fused optimizer update needs float32 variables');
    const n = theta.shape.reduce((a, b) => a * b, 1);
    const outs = [theta, ...Array.from({ length: slots }, () => theta)].map(() => alloc(backend, theta.shape));
    // Heap views only after every allocation (a growing heap invalidates earlier views).
    const view = (t: (typeof outs)[number] | undefined): Float32Array | null => (t ? f32(backend, t) : null);
    addon.optimizerStep!(
      rule, Float32Array.from(attrs.hyper as number[]), n, f32(backend, theta), f32(backend, g),
      view(inputs.s1), view(inputs.s2), f32(backend, outs[0]!), view(outs[1]), view(outs[2]),
    );
    return outs;
  };
}
