// The fused batch-normalization kernels (engine/batch-norm-op.ts) on oneDNN, for tensors on the wasm heap.
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel } from './conv';

function dims(shape: number[]): { m: number; c: number } {
  const c = shape[shape.length - 1]!;
  return { c, m: c === 0 ? 0 : shape.reduce((a, b) => a * b, 1) / c };
}

/** The forward kernel; `relu`: the fused batch norm + ReLU (the addon must have batchNormReluForward). */
export function batchNormTrainOneDnn(addon: OneDnnAddon, relu = false): Kernel {
  const forward = relu ? addon.batchNormReluForward! : addon.batchNormForward;
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const { m, c } = dims(x.shape);
    const y = alloc(backend, x.shape);
    const mean = alloc(backend, [c]);
    const variance = alloc(backend, [c]);
    forward.call(
      addon,
      m, c, attrs.epsilon as number,
      f32(backend, x), f32(backend, inputs.gamma!), f32(backend, inputs.beta!), f32(backend, y), f32(backend, mean), f32(backend, variance),
    );
    return [y, mean, variance];
  };
}

/** The gradient kernel; `relu`: the gradient of the fused batch norm + ReLU, which also takes β. */
export function batchNormGradOneDnn(addon: OneDnnAddon, relu = false): Kernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const { m, c } = dims(x.shape);
    const dx = alloc(backend, x.shape);
    const dgamma = alloc(backend, [c]);
    const dbeta = alloc(backend, [c]);
    const args = [
      m, c, attrs.epsilon as number,
      f32(backend, x), f32(backend, inputs.dy!), f32(backend, inputs.gamma!), f32(backend, inputs.mean!), f32(backend, inputs.variance!),
      f32(backend, dx), f32(backend, dgamma), f32(backend, dbeta),
    ] as const;
    if (relu) addon.batchNormReluBackward!(...args, f32(backend, inputs.beta!));
    else addon.batchNormBackward(...args);
    return [dx, dgamma, dbeta];
  };
}
