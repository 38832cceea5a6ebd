// Every model kind trains two epochs with the lab's own trainer on the native path, on a training set whose size
// leaves a partial last batch (21 images, batches of 8: 8, 8, 5), with validation after each epoch. A counting
// wrapper around the addon proves the native kernels ran, on the partial batch too, and that none of their calls
// failed over to the wasm kernels.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../../shared/config';
import type { EpochLog } from '../../../shared/dto';
import { syntheticImages } from '../../training/synthetic-data';
import { parseTrainConfig } from '../../training/train-config';
import { trainRun } from '../../training/trainer';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnn, type OneDnnAddon } from './addon';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';
import { nativeFailures } from './run-native';

const native = loadOneDnn();
if (!native.ok) console.warn(`SKIPPED native training of every model kind: ${native.reason}`);

const BATCH = 8;
const TRAIN = 21; // 8 + 8 + 5

/** The batch sizes each addon function saw (the first dimension of its shape parameters). */
const seen = new Map<string, Set<number>>();
function counting(addon: OneDnnAddon): OneDnnAddon {
  const batchOf: Partial<Record<keyof OneDnnAddon, (args: unknown[]) => number>> = {
    convForward: (a) => (a[0] as Int32Array)[0]!,
    convBackwardData: (a) => (a[0] as Int32Array)[0]!,
    convBackwardWeights: (a) => (a[0] as Int32Array)[0]!,
    depthwiseForward: (a) => (a[0] as Int32Array)[0]!,
    matmul: (a) => (a[0] as Int32Array)[2]!, // rows of a dense layer's product (or of a transposed one's)
    batchNormForward: (a) => a[0] as number,
  };
  const wrapped: Record<string, unknown> = {};
  for (const key of Object.keys(addon) as (keyof OneDnnAddon)[]) {
    const fn = addon[key] as (...args: unknown[]) => unknown;
    wrapped[key] = (...args: unknown[]) => {
      const set = seen.get(key) ?? new Set<number>();
      seen.set(key, set);
      set.add(batchOf[key]?.(args) ?? -1);
      return fn.apply(addon, args);
    };
  }
  return wrapped as unknown as OneDnnAddon;
}

const kinds: { name: string; size: number; channels: 1 | 3; model: TrainConfigInput['model']; convs: boolean }[] = [
  { name: 'mlp', size: 8, channels: 1, model: { kind: 'mlp', hidden: [{ units: 16, batchNorm: true, activation: 'relu', dropout: 0.3 }] }, convs: false },
  { name: 'cnn', size: 9, channels: 1, model: { kind: 'cnn', blocks: [{ filters: 4, batchNorm: true }, { filters: 6, dropout: 0.2 }], headDropout: 0.3 }, convs: true },
  // ResNet-8 as the crash report had it: 28×28, width 8, 1×1 stride-2 shortcuts on 8 channels.
  { name: 'resnet 8', size: 28, channels: 1, model: { kind: 'resnet', depth: 8, width: 8 }, convs: true },
  { name: 'resnet 14', size: 9, channels: 1, model: { kind: 'resnet', depth: 14, width: 4 }, convs: true },
  { name: 'resnet 20', size: 9, channels: 1, model: { kind: 'resnet', depth: 20, width: 4 }, convs: true },
  // The bundled MobileNetV2 at its smallest sensible input, its top layers fine-tuned, recomputed on every batch.
  { name: 'transfer (MobileNetV2, top layers trainable)', size: 32, channels: 3, model: { kind: 'transfer', trainableLayers: 3, embeddings: 'recompute' }, convs: true },
];

describe.skipIf(!native.ok)('every model kind trains two epochs on the native path with a partial last batch', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    if (native.ok) registerOneDnnKernels(counting(native.addon));
    await tf.setBackend('wasm');
  });
  afterAll(() => unregisterOneDnnKernels());

  for (const k of kinds) {
    it(k.name, async () => {
      seen.clear();
      const failuresBefore = nativeFailures().length;
      const config = parseTrainConfig({
        datasetId: 'd', input: { size: k.size, channels: k.channels }, model: k.model,
        optimizer: { name: 'adam', lr: 0.003 }, epochs: 2, batchSize: BATCH, earlyStopping: { enabled: false },
      });
      const train = syntheticImages({ n: TRAIN, size: k.size, channels: k.channels, classes: 3, seed: 1 });
      const val = syntheticImages({ n: 6, size: k.size, channels: k.channels, classes: 3, seed: 2 });
      const epochs: EpochLog[] = [];
      const result = await trainRun({
        config, train, val, runDir: mkdtempSync(path.join(os.tmpdir(), 'native-kinds-')),
        hooks: { onBatch: () => {}, onEpoch: (e) => epochs.push(e), onLog: () => {} },
      });
      expect(result).toMatchObject({ reason: 'completed', epochsDone: 2 });
      expect(epochs).toHaveLength(2);
      for (const e of epochs) {
        expect(Number.isFinite(e.loss)).toBe(true);
        expect(Number.isFinite(e.valLoss ?? NaN)).toBe(true);
      }
      expect(nativeFailures().slice(failuresBefore)).toEqual([]);
      // The native kernels computed the full batches and the partial one (5 images), forward and backward.
      const products = k.convs ? ['convForward', 'convBackwardData', 'convBackwardWeights'] : ['matmul'];
      if (k.model?.kind === 'transfer') products.push('depthwiseForward'); // MobileNetV2's depthwise layers
      for (const fn of products) {
        const batches = seen.get(fn) ?? new Set();
        expect([...batches], fn).toEqual(expect.arrayContaining([BATCH, TRAIN % BATCH]));
      }
    });
  }
});
