// The ways of training on the CPU that the benchmark compares. Each activates a tfjs backend in this process.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerCpuFastKernels, unregisterCpuFastKernels } from '../../src/main/engine/cpu/register';
import { registerWasmTrainingKernels } from '../../src/main/engine/wasm/register';

export interface Approach {
  name: string;
  description: string;
  /** Only run when asked for (too slow, or expected to fail). */
  optIn: boolean;
  activate(): Promise<void>;
}

export const APPROACHES: Approach[] = [
  {
    name: 'wasm',
    description: 'tfjs-backend-wasm (XNNPACK, SIMD) + lab training kernels (engine default)',
    optIn: false,
    async activate() {
      registerWasmTrainingKernels();
      await tf.setBackend('wasm');
    },
  },
  {
    name: 'cpu-fast',
    description: 'tfjs-backend-cpu + lab flat-array kernels',
    optIn: false,
    async activate() {
      registerCpuFastKernels();
      await tf.setBackend('cpu');
    },
  },
  {
    name: 'cpu',
    description: "tfjs-backend-cpu, tfjs's own kernels (reference, very slow)",
    optIn: true,
    async activate() {
      unregisterCpuFastKernels();
      await tf.setBackend('cpu');
    },
  },
];
