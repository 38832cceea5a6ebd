import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictImages } from '../predict/predict-images';
import { exportModel } from './export-model';
import { loadExportedModel } from './load-exported';
import { PRE8, tinyResidual } from './test-support/tiny-models';

/** The shared fixture beside the repository (reported as skipped where it is absent). */
const TM_FIXTURE = path.resolve('../shared/fixtures/teachable-machine-2019');
const hasFixture = existsSync(path.join(TM_FIXTURE, 'model.json'));
const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'lab-import-'));

describe.skipIf(!hasFixture)('Teachable Machine import (2019 export: MobileNetV2, 224×224×3, inputs in [-1, 1])', () => {
  it('loads with labels from metadata.json and predicts a 224×224 image: 2 probabilities summing to 1', async () => {
    const loaded = await loadExportedModel(TM_FIXTURE);
    expect(loaded.kind).toBe('teachable-machine');
    expect(loaded.labels).toEqual(['Class 1', 'Class 2']);
    expect(loaded.preprocessing).toMatchObject({ input: { size: 224, channels: 3, fit: 'crop' }, normalization: 'symmetric' });
    const image = path.join(tmp(), 'photo.png');
    await sharp({ create: { width: 224, height: 224, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toFile(image);
    const [pred] = await predictImages(loaded.model, loaded.labels, loaded.preprocessing, [image], { topK: 2 });
    expect(pred.error).toBeUndefined();
    expect(pred.top).toHaveLength(2);
    expect(pred.top.map((t) => t.label).sort()).toEqual(['Class 1', 'Class 2']);
    expect(pred.top[0].probability + pred.top[1].probability).toBeCloseTo(1, 5);
    expect(pred.top[0].probability).toBeGreaterThanOrEqual(pred.top[1].probability);
    // The lab feeds pixel/127.5 − 1; the adapter makes the model see Teachable Machine's pixel/127 − 1 exactly.
    const modelJson = JSON.parse(readFileSync(path.join(TM_FIXTURE, 'model.json'), 'utf8'));
    const raw = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(readFileSync(path.join(TM_FIXTURE, 'weights.bin'))).buffer }),
    );
    const px = tf.fill([1, 224, 224, 3], 0).add(tf.tensor1d([200, 120, 40]));
    const tmProbs = (raw.predict(px.div(127).sub(1)) as tf.Tensor).dataSync();
    expect(pred.probabilities![0]).toBeCloseTo(tmProbs[0], 5);
  });
});

describe('corrupt or incomplete export folders', () => {
  let good: string;
  beforeAll(async () => {
    good = path.join(tmp(), 'good');
    await exportModel(tinyResidual(), { format: 'tfjs', outDir: good, labels: ['a', 'b', 'c', 'd'], preprocessing: PRE8, modelName: 'm' });
  });
  const broken = (mutate: (dir: string) => void): string => {
    const dir = path.join(tmp(), 'copy');
    cpSync(good, dir, { recursive: true });
    mutate(dir);
    return dir;
  };

  it('a folder without model.json', async () => {
    const dir = broken((d) => rmSync(path.join(d, 'model.json')));
    await expect(loadExportedModel(dir)).rejects.toThrow(/No model\.json in .*copy/);
  });
  it('a missing weights file', async () => {
    const dir = broken((d) => rmSync(path.join(d, 'group1-shard1of1.bin')));
    await expect(loadExportedModel(dir)).rejects.toThrow(/Weights file missing: .*group1-shard1of1\.bin/);
  });
  it('a truncated weights file', async () => {
    const dir = broken((d) => truncateSync(path.join(d, 'group1-shard1of1.bin'), 100));
    await expect(loadExportedModel(dir)).rejects.toThrow(/group1-shard1of1\.bin holds 100 bytes but model\.json describes \d+/);
  });
  it('model.json that is not JSON', async () => {
    const dir = broken((d) => writeFileSync(path.join(d, 'model.json'), '{"modelTopology": {'));
    await expect(loadExportedModel(dir)).rejects.toThrow(/model\.json is not valid JSON: .*model\.json/);
  });
  it('missing labels.txt / preprocessing.json, or labels that do not match the outputs', async () => {
    await expect(loadExportedModel(broken((d) => rmSync(path.join(d, 'labels.txt'))))).rejects.toThrow(/labels\.txt not found/);
    await expect(loadExportedModel(broken((d) => rmSync(path.join(d, 'preprocessing.json'))))).rejects.toThrow(/preprocessing\.json not found/);
    await expect(loadExportedModel(broken((d) => writeFileSync(path.join(d, 'labels.txt'), 'a\nb\n')))).rejects.toThrow(/labels\.txt lists 2 labels but the model has 4 outputs/);
  });
  it.skipIf(!hasFixture)('Teachable Machine metadata without labels, or invalid', async () => {
    const tm = (meta: string): string => {
      const dir = path.join(tmp(), 'tm');
      cpSync(TM_FIXTURE, dir, { recursive: true });
      writeFileSync(path.join(dir, 'metadata.json'), meta);
      return dir;
    };
    await expect(loadExportedModel(tm('{"tfjsVersion":"1.1.2","modelName":"x"}'))).rejects.toThrow(/metadata\.json is invalid: .*labels/);
    await expect(loadExportedModel(tm('{"labels": ['))).rejects.toThrow(/metadata\.json is not valid JSON/);
  });
  it('a path that does not exist, and an ONNX-only folder', async () => {
    await expect(loadExportedModel(path.join(tmp(), 'nope'))).rejects.toThrow(/Model folder not found/);
    const dir = tmp();
    writeFileSync(path.join(dir, 'model.onnx'), 'x');
    await expect(loadExportedModel(dir)).rejects.toThrow(/ONNX export .* cannot load back/);
  });
});
