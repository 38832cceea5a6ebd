// Relu's forward pass through the native addon (native/onednn/src/eltwise.h): one threaded pass over the
// activations instead of the single-threaded WebAssembly kernel.
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel } from './conv';
import { runNative } from './run-native';

export function reluNative(addon: OneDnnAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { inputs, backend } = args;
    const x = inputs.x!;
    if (x.dtype !== 'float32') return fallback(args);
    const y = alloc(backend, x.shape);
    return runNative('Relu', args, y, () => addon.relu!(x.shape.reduce((a, b) => a * b, 1), f32(backend, x), f32(backend, y)), fallback);
  };
}
