/**
 * Transfer learning must beat training from scratch on a tiny set (issue 10). Slow on the pure-JS CPU backend
 * (~20–60 s: MobileNetV2 forward passes at 32 px); it is part of the normal suite because it is the acceptance test.
 * Six images per class of three texture classes; every model gets the same data, optimizer, epochs and head.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../shared/config';
import { evaluateModel } from '../training/evaluate';
import { stripeTextures } from '../training/synthetic-data';
import { parseTrainConfig } from '../training/train-config';
import { trainRun } from '../training/trainer';
import { preprocessingFor } from './index';

await tf.setBackend('cpu');

const train = stripeTextures({ perClass: 6, seed: 1 });
const test = stripeTextures({ perClass: 12, seed: 2 });

async function accuracy(model: Record<string, unknown>): Promise<number> {
  const cfg = parseTrainConfig({
    datasetId: 'textures',
    input: { size: 32, channels: 3 },
    model: model as ModelConfig,
    epochs: 8,
    batchSize: 6,
    optimizer: { name: 'adam', lr: 0.01 },
    earlyStopping: { enabled: false },
  });
  const hooks = { onBatch: () => undefined, onEpoch: () => undefined, onLog: () => undefined };
  const { model: trained } = await trainRun({ config: cfg, train, val: null, runDir: mkdtempSync(path.join(os.tmpdir(), 'tvs-')), hooks });
  return (await evaluateModel(trained, test, preprocessingFor(cfg))).accuracy;
}

describe('transfer learning vs training from scratch (6 images per class)', () => {
  it(
    'the pretrained MobileNetV2 backbone beats the same head on random backbone weights and a from-scratch MLP',
    async () => {
      const transfer = await accuracy({ kind: 'transfer', headDropout: 0 });
      const randomBackbone = await accuracy({ kind: 'transfer', headDropout: 0, pretrained: false });
      const mlp = await accuracy({ kind: 'mlp', hidden: [{ units: 64, dropout: 0 }] });
      console.log(JSON.stringify({ transfer, randomBackbone, mlp }));
      expect(transfer).toBeGreaterThan(0.75);
      expect(transfer).toBeGreaterThan(randomBackbone + 0.2);
      expect(transfer).toBeGreaterThan(mlp + 0.2);
    },
    300_000,
  );
});
