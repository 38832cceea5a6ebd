import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticImages } from '../synthetic-data';
import { parseTrainConfig } from '../train-config';
import { trainRun } from '../trainer';
import type { Callback } from './callback';
import { swa } from './swa';

await tf.setBackend('cpu');

describe('swa callback (stochastic weight averaging)', () => {
  it('leaves the model holding the mean of the weights at the end of epochs 2..4', async () => {
    const config = parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'mlp', hidden: [{ units: 8, dropout: 0 }] }, optimizer: { name: 'sgd', lr: 0.1 }, epochs: 4, batchSize: 8, earlyStopping: { enabled: false } });
    const seen: number[][] = [];
    // Records the first kernel after every epoch, before SWA touches anything.
    const spy: Callback = { name: 'spy', order: 0, epochEnd: (loop) => void seen.push(Array.from(loop.model.getWeights()[0]!.dataSync())) };
    const logs: string[] = [];
    const { model } = await trainRun({
      config,
      train: syntheticImages({ n: 24, seed: 1 }),
      val: null,
      runDir: mkdtempSync(path.join(os.tmpdir(), 'swa-')),
      hooks: { onBatch: () => undefined, onEpoch: () => undefined, onLog: (_l, m) => logs.push(m) },
      callbacks: [spy, swa({ startEpoch: 2 })],
    });
    const final = model.getWeights()[0]!.dataSync();
    const mean = seen[1]!.map((_, i) => (seen[1]![i]! + seen[2]![i]! + seen[3]![i]!) / 3);
    expect(seen).toHaveLength(4);
    expect(Math.max(...mean.map((m, i) => Math.abs(m - final[i]!)))).toBeLessThan(1e-6);
    expect(Math.max(...seen[3]!.map((w, i) => Math.abs(w - final[i]!)))).toBeGreaterThan(1e-4); // not simply the last weights
    expect(logs.some((m) => /Stochastic weight averaging: .* 3 epoch\(s\) from epoch 2/.test(m))).toBe(true);
  });
});
