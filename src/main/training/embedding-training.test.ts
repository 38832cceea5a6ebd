/**
 * Training a frozen transfer model on cached embeddings: the backbone runs once per image, later runs reuse the
 * cache, and the head learns exactly what it learns when the whole model runs on every image in every epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, loadSplit } from '../datasets';
import { image, put, tempDir, tempWorkspace } from '../datasets/test-fixtures';
import { predictProbabilities } from './evaluate';
import { prepareEmbeddingRun, usesEmbeddingCache } from './embedding-training';
import { preprocessingFor } from '../models';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';

await tf.setBackend('cpu');

const TM = path.resolve('../shared/fixtures/teachable-machine-2019');
const data = tempDir('emb');
const work = tempWorkspace();
let datasetId = '';

beforeAll(async () => {
  // Two colour classes (reddish and bluish gradients), 10 images each.
  for (let i = 0; i < 10; i++) {
    await put(path.join(data.dir, 'red', `${i}.png`), await image(40, 36, (x, y) => [150 + ((x * 3 + i * 7) % 100), (y * 5 + i) % 90, 40]));
    await put(path.join(data.dir, 'blue', `${i}.png`), await image(40, 36, (x, y) => [30, (x * 4 + i * 3) % 90, 150 + ((y * 2 + i * 11) % 100)]));
  }
  datasetId = (await importDataset(work.ws, { paths: [data.dir], split: { val: 0.2, test: 0.1, seed: 1 } })).id;
}, 60_000);
afterAll(() => {
  work.cleanup();
  data.cleanup();
});

const config = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({
    datasetId,
    input: { size: 32, channels: 3 },
    model: { kind: 'transfer', headDropout: 0.3, dense: [{ units: 6, dropout: 0 }] },
    optimizer: { name: 'adam', lr: 0.01 },
    epochs: 3,
    batchSize: 4,
    earlyStopping: { enabled: false },
    ...over,
  });
const quiet = { onBatch: () => {}, onEpoch: () => {}, onLog: () => {} };

describe('embedding cache', () => {
  it('is used for a frozen backbone without augmentation, or when asked to', () => {
    expect(usesEmbeddingCache(config(), false)).toBe(true);
    expect(usesEmbeddingCache(config(), true)).toBe(false);
    expect(usesEmbeddingCache(config({ model: { kind: 'transfer', embeddings: 'cache' } }), true)).toBe(true);
    expect(usesEmbeddingCache(config({ model: { kind: 'transfer', embeddings: 'recompute' } }), false)).toBe(false);
    expect(usesEmbeddingCache(config({ model: { kind: 'transfer', trainableLayers: 2 } }), false)).toBe(false);
    expect(usesEmbeddingCache(config({ model: { kind: 'cnn', blocks: [{ filters: 4 }] } }), false)).toBe(false);
  });

  it('trains the head to the same weights and curve as the whole model, running the backbone once per image', async () => {
    const cfg = config();
    const train = await loadSplit(work.ws, datasetId, cfg.input, 'train');
    const val = await loadSplit(work.ws, datasetId, cfg.input, 'val');
    const logs: string[] = [];
    const run = await prepareEmbeddingRun({ ws: work.ws, config: cfg, train, val, log: (_l, m) => logs.push(m) });
    expect(run.computed).toBe(train.n + val.n);
    expect(logs.join('\n')).toContain(`embeddings are cached (${train.n + val.n} images`);
    const cachedEpochs: { loss: number; valLoss: number | null }[] = [];
    const cached = await trainRun({
      config: cfg, train, val, runDir: mkdtempSync(path.join(os.tmpdir(), 'emb-')),
      model: run.head, source: run.source, validate: run.validate,
      hooks: { ...quiet, onEpoch: (e) => cachedEpochs.push(e) },
    });
    const whole = run.finish(cached.model);

    const plainEpochs: { loss: number; valLoss: number | null }[] = [];
    const plain = await trainRun({ config: cfg, train, val, runDir: mkdtempSync(path.join(os.tmpdir(), 'emb-')), hooks: { ...quiet, onEpoch: (e) => plainEpochs.push(e) } });
    cachedEpochs.forEach((e, i) => {
      expect(e.loss).toBeCloseTo(plainEpochs[i]!.loss, 4);
      expect(e.valLoss!).toBeCloseTo(plainEpochs[i]!.valLoss!, 4);
    });
    // The whole model with the trained head predicts what the model trained on images predicts.
    const pre = preprocessingFor(cfg);
    const a = await predictProbabilities(whole, val, pre);
    const b = await predictProbabilities(plain.model, val, pre);
    for (let i = 0; i < a.length; i++) expect(a[i]!).toBeCloseTo(b[i]!, 4);
  }, 120_000);

  it('is reused by the next run with the same backbone and preprocessing, and keyed apart when they change', async () => {
    const cfg = config();
    const train = await loadSplit(work.ws, datasetId, cfg.input, 'train');
    const again = await prepareEmbeddingRun({ ws: work.ws, config: cfg, train, val: null, log: () => {} });
    expect(again.computed).toBe(0);
    expect(again.reused).toBe(train.n);
    const other = config({ input: { size: 40, channels: 3 } });
    const train40 = await loadSplit(work.ws, datasetId, other.input, 'train');
    const fresh = await prepareEmbeddingRun({ ws: work.ws, config: other, train: train40, val: null, log: () => {} });
    expect(fresh.computed).toBe(train.n);
    const files = readdirSync(path.join(work.ws.datasetDir(datasetId), 'embeddings'));
    expect(files.filter((f) => f.endsWith('.f32'))).toHaveLength(2);
    expect(existsSync(data.dir)).toBe(true);
    expect(readdirSync(path.join(data.dir, 'red'))).toHaveLength(10); // nothing written into the user's folder
  }, 120_000);

  it.skipIf(!existsSync(TM))('continues a Teachable Machine model: its backbone, new classes, trained on cached embeddings', async () => {
    // At 96 px (the backbone is fully convolutional) to keep the test quick.
    const cfg = config({ input: { size: 96, channels: 3 }, model: { kind: 'transfer', backbone: TM, headDropout: 0 }, epochs: 6, optimizer: { name: 'adam', lr: 0.01 } });
    const train = await loadSplit(work.ws, datasetId, cfg.input, 'train');
    const run = await prepareEmbeddingRun({ ws: work.ws, config: cfg, train, val: null, log: () => {} });
    expect(run.computed).toBe(train.n);
    const epochs: { loss: number; accuracy: number }[] = [];
    const result = await trainRun({ config: cfg, train, val: null, runDir: mkdtempSync(path.join(os.tmpdir(), 'tm-')), model: run.head, source: run.source, hooks: { ...quiet, onEpoch: (e) => epochs.push(e) } });
    const whole = run.finish(result.model);
    expect(epochs[epochs.length - 1]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(epochs[epochs.length - 1]!.accuracy).toBe(1);
    // The whole model (Teachable Machine's MobileNet + the new head) tells the new classes apart from pixels.
    const probs = await predictProbabilities(whole, train, preprocessingFor(cfg));
    let correct = 0;
    for (let i = 0; i < train.n; i++) if ((probs[i * 2 + train.y[i]!] ?? 0) > 0.5) correct++;
    expect(correct).toBe(train.n);
  }, 180_000);
});
