// The engine's tfjs backend: call initBackend() once per process before building models.
export { BACKEND_ORDER, getBackendInfo, initBackend, type InitBackendOptions } from './backend';
export { registerCpuFastKernels } from './cpu/register';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm/register';
