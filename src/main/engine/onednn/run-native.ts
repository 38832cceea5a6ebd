// Runs one native call into a freshly allocated output; if oneDNN refuses (a shape or CPU it has no kernel
// for), the output is freed and the previously registered kernel computes the result instead, so a run never
// fails because of the optional native path. Said once per kernel on stderr.
import type * as tf from '@tensorflow/tfjs';
import { free, type WasmBackend } from '../wasm/heap';
import type { KernelArgs, Kernel } from './conv';

const reported = new Set<string>();
const failures: string[] = [];

/** Every native call that failed and was computed by the previous kernel instead, as `kernel: reason` (tests). */
export function nativeFailures(): readonly string[] {
  return failures;
}

export function runNative(name: string, args: KernelArgs, out: tf.TensorInfo, call: () => void, fallback: Kernel): tf.TensorInfo | tf.TensorInfo[] {
  try {
    call();
    return out;
  } catch (err) {
    free(args.backend as WasmBackend, out);
    if (failures.length < 100) failures.push(`${name}: ${(err as Error).message}`);
    if (!reported.has(name)) {
      reported.add(name);
      process.stderr.write(`oneDNN ${name} failed (${(err as Error).message}); using the WebAssembly kernel for it instead.\n`);
    }
    return fallback(args);
  }
}
