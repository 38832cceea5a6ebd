// The fused ReLU gradient (engine/relu-grad-op.ts) through the native addon (native/onednn/src/eltwise.h).
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel } from './conv';

export function reluGradNative(addon: OneDnnAddon): Kernel {
  return ({ inputs, backend }) => {
    const x = inputs.x!;
    const dy = inputs.dy!;
    if (x.shape.join() !== dy.shape.join()) throw new Error(`ReLU gradient shapes differ: [${x.shape.join()}] vs [${dy.shape.join()}]`);
    const dx = alloc(backend, x.shape);
    addon.reluGrad!(x.shape.reduce((a, b) => a * b, 1), f32(backend, x), f32(backend, dy), f32(backend, dx));
    return dx;
  };
}
