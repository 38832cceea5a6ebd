import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildModel } from '../models';
import { syntheticImages } from './synthetic-data';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';

await tf.setBackend('cpu');

const original = Math.random;
afterEach(() => {
  Object.defineProperty(Math, 'random', { value: original, writable: true, configurable: true });
});

const config = parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'cnn', blocks: [{ filters: 4, dropout: 0.3 }], headDropout: 0.5 }, epochs: 1, batchSize: 8, seed: 5 });

describe('explicit seeds', () => {
  it('building a model and training with dropout neither read nor replace Math.random', async () => {
    let calls = 0;
    let replaced = 0;
    const counting = () => {
      calls++;
      return original();
    };
    Object.defineProperty(Math, 'random', { get: () => counting, set: () => void replaced++, configurable: true });
    const { model } = await trainRun({ config, train: syntheticImages({ n: 16, seed: 1 }), val: null, runDir: mkdtempSync(path.join(os.tmpdir(), 'seeds-')), hooks: { onBatch: () => undefined, onEpoch: () => undefined, onLog: () => undefined } });
    model.dispose();
    expect(calls).toBe(0);
    expect(replaced).toBe(0);
  });

  it('the same seed gives the same initial weights, another seed different ones', async () => {
    const first = async (seed: number) => {
      const m = await buildModel({ ...config, seed }, 2);
      const w = Array.from(m.getWeights()[0]!.dataSync());
      m.dispose();
      return w;
    };
    expect(await first(5)).toEqual(await first(5));
    expect(await first(6)).not.toEqual(await first(5));
  });
});
