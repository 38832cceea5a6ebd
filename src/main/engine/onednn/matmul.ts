// BatchMatMul and _FusedMatMul (bias over the last axis, ReLU) on oneDNN — the dense layers' products.
// Broadcasting other than a batch of 1, other activations and other bias shapes go to the previous kernel.
import { alloc, f32 } from '../wasm/heap';
import type { OneDnnAddon } from './addon';
import type { Kernel } from './conv';
import { epilogueOf } from './epilogue';
import { runNative } from './run-native';

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export function matmulOneDnn(addon: OneDnnAddon, fallback: Kernel, fused: boolean): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const a = inputs.a!;
    const b = inputs.b!;
    const ta = attrs.transposeA === true;
    const tb = attrs.transposeB === true;
    if (a.shape.length < 2 || b.shape.length < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const M = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const Kb = tb ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const N = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const BA = product(batchA);
    const BB = product(batchB);
    const sameBatch = BA === BB && batchA.length === batchB.length;
    const epilogue = epilogueOf(inputs, attrs, fused, N);
    if (!epilogue || K !== Kb || (!sameBatch && BA !== 1 && BB !== 1) || M * N * K === 0) return fallback(args);
    const outBatch = batchA.length >= batchB.length ? (BA >= BB ? batchA : batchB) : batchB;
    const c = alloc(backend, [...outBatch, M, N]);
    const p = Int32Array.from([BA, BB, M, K, N, ta ? 1 : 0, tb ? 1 : 0]);
    const bias = epilogue.bias ? f32(backend, epilogue.bias) : null;
    return runNative(fused ? '_FusedMatMul' : 'BatchMatMul', args, c, () => addon.matmul(p, f32(backend, a), f32(backend, b), bias, epilogue.relu, f32(backend, c)), fallback);
  };
}
