/**
 * How much memory a run needs, estimated from its config before anything is allocated: parameters, their gradients
 * and the optimizer's state, activations kept for the backward pass × batch size, the batch itself and the decoded
 * input cache. Settings that cannot fit the budget are refused with the numbers and the largest batch size that fits,
 * instead of failing deep inside tfjs ("memory access out of bounds", "Invalid typed array length").
 */
import os from 'node:os';
import type { ModelConfig, OptimizerName, TrainConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';

const F32 = 4;
const GiB = 1024 ** 3;
/** WebAssembly memory is 32-bit: the wasm and onednn backends can never address more than 4 GiB. */
export const WASM_HEAP_LIMIT = 4 * GiB;
/** Largest single tensor accepted: one typed array beyond 4 GiB fails in V8 ("Invalid typed array length") and in wasm. */
const MAX_TENSOR_BYTES = 2 ** 32 - 1;
/**
 * Tensors each layer keeps per sample for the backward pass (its output, the activation's output, dropout mask,
 * batch-norm normalised copy) plus the gradients flowing back. Chosen so that the audit's failing run (a 2-block CNN at
 * 512×512×3, batch 32, which crashed past 4 GiB of wasm heap) is refused, with some headroom.
 */
const ACTIVATION_COPIES = 6;

export interface MemoryEstimate {
  parameters: number;
  /** Bytes: weights + gradients + optimizer state. */
  parameterBytes: number;
  /** Bytes of activations for one image (forward values kept for backward, and their gradients). */
  activationBytesPerImage: number;
  /** Bytes of one batch: activations × batch size and the batch's input tensor. */
  batchBytes: number;
  /** Bytes of the decoded images held in memory (uint8, one per image). */
  inputCacheBytes: number;
  totalBytes: number;
  /** Largest weight tensor in bytes (does not shrink with the batch). */
  largestWeightBytes: number;
  /** Largest activation tensor of one image in bytes (× batch size for the batch). */
  largestActivationBytesPerImage: number;
}

const optimizerSlots: Record<OptimizerName, number> = { sgd: 0, momentum: 1, nesterov: 1, adagrad: 1, rmsprop: 1, adam: 2 };

interface Shape {
  params: number;
  /** floats per image across all layers */
  activations: number;
  largestWeight: number;
  largestActivation: number;
}

function dense(inFeatures: number, units: number[], classes: number): Shape {
  let params = 0;
  let activations = inFeatures;
  let largestWeight = 0;
  let largestActivation = inFeatures;
  let prev = inFeatures;
  for (const u of [...units, classes]) {
    params += prev * u + u;
    largestWeight = Math.max(largestWeight, prev * u);
    activations += u * ACTIVATION_COPIES;
    largestActivation = Math.max(largestActivation, u);
    prev = u;
  }
  return { params, activations, largestWeight, largestActivation };
}

function conv(side: number, channels: number, filters: number, kernel: number, stride: number): { side: number; params: number; floats: number } {
  const out = Math.ceil(side / stride);
  return { side: out, params: kernel * kernel * channels * filters + 2 * filters, floats: out * out * filters };
}

function shapeOf(model: ModelConfig, size: number, channels: number, classes: number): Shape {
  const input = size * size * channels;
  if (model.kind === 'mlp') return dense(input, model.hidden.map((h) => h.units), classes);
  if (model.kind === 'cnn') {
    let side = size;
    let ch = channels;
    let params = 0;
    let activations = input;
    let largestWeight = 0;
    let largestActivation = input;
    for (const b of model.blocks) {
      const c = conv(side, ch, b.filters, b.kernel, b.stride);
      params += c.params;
      largestWeight = Math.max(largestWeight, b.kernel * b.kernel * ch * b.filters);
      activations += c.floats * ACTIVATION_COPIES;
      largestActivation = Math.max(largestActivation, c.floats);
      side = b.pool !== 'none' ? Math.max(1, Math.floor(c.side / 2)) : c.side;
      ch = b.filters;
      activations += side * side * ch;
    }
    const head = dense(model.globalPool ? ch : side * side * ch, model.dense.map((d) => d.units), classes);
    return {
      params: params + head.params,
      activations: activations + head.activations,
      largestWeight: Math.max(largestWeight, head.largestWeight),
      largestActivation: Math.max(largestActivation, head.largestActivation),
    };
  }
  if (model.kind === 'resnet') {
    const n = (model.depth - 2) / 6;
    let side = size;
    let ch = model.width;
    let params = 9 * channels * ch;
    let activations = input + side * side * ch * ACTIVATION_COPIES;
    let largest = side * side * ch;
    for (let stage = 0; stage < 3; stage++) {
      const filters = model.width * 2 ** stage;
      for (let block = 0; block < n; block++) {
        const stride = stage > 0 && block === 0 ? 2 : 1;
        side = Math.ceil(side / stride);
        params += 9 * ch * filters + 9 * filters * filters + 4 * filters;
        // two conv+BN+ReLU per block, the residual add
        activations += side * side * filters * (2 * ACTIVATION_COPIES + 1);
        largest = Math.max(largest, side * side * filters);
        ch = filters;
      }
    }
    const head = dense(ch, [], classes);
    return { params: params + head.params, activations: activations + head.activations, largestWeight: 9 * ch * ch, largestActivation: largest };
  }
  // transfer: MobileNetV2 (≈2.3 M backbone parameters); activations scale with the input area (≈ 7 M floats per image
  // at 224×224 through the whole network, kept when any backbone layer trains or the backbone is recomputed).
  const backboneParams = 2_300_000;
  const area = (size * size) / (224 * 224);
  const recompute = model.trainableLayers > 0 || model.embeddings === 'recompute';
  const activations = input + (recompute ? 7_000_000 * area * (model.trainableLayers > 0 ? 2 : 1) : 0);
  const head = dense(1280, model.dense.map((d) => d.units), classes);
  return { params: backboneParams + head.params, activations: activations + head.activations, largestWeight: Math.max(1280 * 1280, head.largestWeight), largestActivation: Math.max(input, 112 * 112 * 96 * area) };
}

export function estimateMemory(config: TrainConfig, facts: { classes: number; images: number }): MemoryEstimate {
  const { size, channels } = config.input;
  const s = shapeOf(config.model, size, channels, Math.max(2, facts.classes));
  const trainable = config.model.kind === 'transfer' && config.model.trainableLayers === 0 ? s.params - 2_300_000 : s.params;
  const slots = optimizerSlots[config.optimizer.name];
  const parameterBytes = s.params * F32 + trainable * F32 * (1 + slots);
  const activationBytesPerImage = s.activations * F32;
  const batchBytes = activationBytesPerImage * config.batchSize;
  const inputCacheBytes = facts.images * size * size * channels;
  return {
    parameters: s.params,
    parameterBytes,
    activationBytesPerImage,
    batchBytes,
    inputCacheBytes,
    totalBytes: parameterBytes + batchBytes + inputCacheBytes,
    largestWeightBytes: s.largestWeight * F32,
    largestActivationBytesPerImage: s.largestActivation * F32,
  };
}

export interface MemoryBudget {
  /** Bytes for tensors (parameters, optimizer state, activations): the wasm heap's limit on wasm/onednn. */
  tensors: number;
  /** Bytes for everything, the decoded images included: half the machine's memory. */
  total: number;
}

/**
 * What a run may use: half the machine's memory in all, and for the WebAssembly-based backends (wasm, onednn, which
 * hold every tensor in one 32-bit heap) at most 3 GiB of tensors, leaving room in the 4 GiB heap for tfjs's temporaries.
 */
export function memoryBudget(backend: string | null, totalMem = os.totalmem()): MemoryBudget {
  const total = totalMem * 0.5;
  const wasmLike = !backend || /wasm|onednn|auto/i.test(backend);
  return { tensors: wasmLike ? Math.min(total, WASM_HEAP_LIMIT * 0.75) : total, total };
}

const gib = (b: number): string => (b >= GiB ? `${(b / GiB).toFixed(1)} GiB` : `${Math.max(1, Math.round(b / 1024 ** 2))} MiB`);

/** Refuse a config that cannot fit, saying what takes the memory and the largest batch size that fits. */
export function assertFitsInMemory(config: TrainConfig, facts: { classes: number; images: number }, budget: MemoryBudget): MemoryEstimate {
  const e = estimateMemory(config, facts);
  const tensors = e.parameterBytes + e.batchBytes;
  const batchTensor = e.largestActivationBytesPerImage * config.batchSize;
  if (tensors <= budget.tensors && e.totalBytes <= budget.total && e.largestWeightBytes <= MAX_TENSOR_BYTES && batchTensor <= MAX_TENSOR_BYTES) return e;
  const perImage = e.activationBytesPerImage;
  const room = Math.min(budget.tensors - e.parameterBytes, budget.total - e.parameterBytes - e.inputCacheBytes);
  const fits = e.largestWeightBytes > MAX_TENSOR_BYTES || room <= 0 ? 0 : Math.min(Math.floor(room / perImage), Math.floor(MAX_TENSOR_BYTES / e.largestActivationBytesPerImage));
  const suggested = Math.min(fits, config.batchSize - 1);
  const numbers = msg('memory.numbers', {
    parameters: e.parameters.toLocaleString('en'),
    parameterSize: gib(e.parameterBytes),
    optimizer: config.optimizer.name,
    perImage: gib(perImage),
    batchSize: config.batchSize,
    batchBytes: gib(e.batchBytes),
    tensors: gib(tensors),
    tensorBudget: gib(budget.tensors),
    inputCache: gib(e.inputCacheBytes),
    total: gib(e.totalBytes),
    totalBudget: gib(budget.total),
  });
  const advice =
    suggested >= 1
      ? msg('memory.advice.batch', { batchSize: suggested })
      : msg('memory.advice.input', { size: Math.max(8, Math.floor(config.input.size / 2)) });
  throw new LabError('BAD_CONFIG', msg('memory.tooBig', { numbers, advice }), {
    estimatedBytes: e.totalBytes,
    tensorBytes: tensors,
    budgetTensorBytes: budget.tensors,
    budgetTotalBytes: budget.total,
    parameterBytes: e.parameterBytes,
    activationBytesPerImage: perImage,
    inputCacheBytes: e.inputCacheBytes,
    ...(suggested >= 1 ? { suggestedBatchSize: suggested } : {}),
  });
}
