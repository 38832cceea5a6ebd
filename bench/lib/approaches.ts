// The ways of training on the CPU that the benchmark compares. Each activates a tfjs backend in this process.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerCpuFastKernels, unregisterCpuFastKernels } from '../../src/main/engine/cpu/register';
import { activateBackend } from '../../src/main/engine/backend';

export interface Approach {
  name: string;
  description: string;
  /** Only run when asked for (too slow, or expected to fail). */
  optIn: boolean;
  activate(): Promise<void>;
}

export const APPROACHES: Approach[] = [
  {
    name: 'onednn',
    description: 'oneDNN native kernels (conv, matmul, batch norm; all cores) over the wasm backend (engine default when built)',
    optIn: false,
    async activate() {
      await activateBackend('onednn');
    },
  },
  {
    name: 'wasm',
    description: 'tfjs-backend-wasm (XNNPACK, SIMD) + lab training kernels (engine default without native kernels)',
    optIn: false,
    async activate() {
      await activateBackend('wasm');
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
