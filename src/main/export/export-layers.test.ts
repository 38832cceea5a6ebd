import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportModel } from './export-model';
import { loadExportedModel } from './load-exported';
import { PRE8, tinyCnn, tinyResidual } from './test-support/tiny-models';
import { randomPixels } from './verify-export';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'lab-export-'));

function predict(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

const pixels = (n: number): tf.Tensor4D => tf.tensor4d(randomPixels(n, PRE8, 99), [n, 8, 8, 3]);

describe('tfjs export', () => {
  it('writes a standard layers model, labels, preprocessing and README that load back to the same predictions', async () => {
    const model = tinyCnn();
    const dir = path.join(tmp(), 'out');
    const result = await exportModel(model, { format: 'tfjs', outDir: dir, labels: ['cat', 'dog', 'bird'], preprocessing: PRE8, modelName: 'pets' });
    for (const f of ['model.json', 'group1-shard1of1.bin', 'labels.txt', 'preprocessing.json', 'README.md', 'example/predict.mjs']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(result.verified?.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    const modelJson = readFileSync(path.join(dir, 'model.json'), 'utf8');
    expect(modelJson).not.toContain('SeedBatchNorm'); // any tfjs code can load it
    expect(modelJson).toContain('"format":"layers-model"');
    expect(readFileSync(path.join(dir, 'labels.txt'), 'utf8')).toBe('cat\ndog\nbird\n');
    const pre = JSON.parse(readFileSync(path.join(dir, 'preprocessing.json'), 'utf8'));
    expect(pre.input).toMatchObject({ shape: [1, 8, 8, 3], channels: 3, channelOrder: 'RGB', layout: 'NHWC' });
    expect(pre.resize.mode).toBe('squash');
    expect(pre.normalization.formula).toContain('/ 255');
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('x = pixel / 255');

    const loaded = await loadExportedModel(dir);
    expect(loaded.kind).toBe('tfjs');
    // The seed-exact batch norm became a standard one holding the trained statistics (unbiased variance) and ε.
    const bn = loaded.model.getLayer('bn1');
    expect(bn.getClassName()).toBe('BatchNormalization');
    const [trained, exported] = [model.getLayer('bn1').getWeights(), bn.getWeights()];
    trained.forEach((w, i) => expect(Array.from(exported[i].dataSync())).toEqual(Array.from(w.dataSync())));
    expect((bn.getConfig() as { epsilon: number }).epsilon).toBe((model.getLayer('bn1').getConfig() as { epsilon: number }).epsilon);
    expect(loaded.labels).toEqual(['cat', 'dog', 'bird']);
    expect(loaded.preprocessing).toEqual(PRE8);
    const x = pixels(6).div(255);
    expect(maxDiff(predict(model, x), predict(loaded.model, x))).toBeLessThanOrEqual(1e-5);
  });

  it('quantises weights (float16 halves, uint8 quarters them) and reports the accuracy kept on evaluation data', async () => {
    const model = tinyResidual();
    const root = tmp();
    const n = 40;
    const evalPixels = randomPixels(n, PRE8, 5);
    // Labels = the float model's own predictions, so accuracy before is 100% and after shows what quantisation costs.
    const probs = predict(model, tf.tensor4d(evalPixels, [n, 8, 8, 3]).div(255));
    const labels = Array.from({ length: n }, (_, i) => {
      const row = Array.from(probs.subarray(i * 4, i * 4 + 4));
      return row.indexOf(Math.max(...row));
    });
    const base = await exportModel(model, { format: 'tfjs', outDir: path.join(root, 'f32'), labels: ['a', 'b', 'c', 'd'], preprocessing: PRE8, modelName: 'm' });
    const size32 = statSync(path.join(base.dir, 'group1-shard1of1.bin')).size;
    for (const [mode, ratio, tol] of [['float16', 2, 1e-2], ['uint8', 4, 5e-2]] as const) {
      const r = await exportModel(model, { format: 'tfjs', outDir: path.join(root, mode), labels: ['a', 'b', 'c', 'd'], preprocessing: PRE8, modelName: 'm', quantize: mode, evaluation: { pixels: evalPixels, labels } });
      const size = statSync(path.join(r.dir, 'group1-shard1of1.bin')).size;
      expect(size).toBe(size32 / ratio);
      expect(r.quantization).toMatchObject({ mode, evaluated: n, accuracyBefore: 1 });
      expect(r.quantization!.accuracyAfter).toBeGreaterThan(0.8);
      expect(r.quantization!.maxProbabilityDiff).toBeGreaterThan(0);
      expect(r.quantization!.maxProbabilityDiff).toBeLessThan(tol);
      const spec = JSON.parse(readFileSync(path.join(r.dir, 'model.json'), 'utf8')).weightsManifest[0].weights[0];
      expect(spec.quantization.dtype).toBe(mode);
      const loaded = await loadExportedModel(r.dir);
      const x = pixels(4).div(255);
      expect(maxDiff(predict(model, x), predict(loaded.model, x))).toBeLessThan(tol);
    }
  });

  it('refuses to write into a folder that holds something other than an earlier export', async () => {
    const dir = tmp();
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dir, 'holiday.jpg'), 'x'));
    await expect(exportModel(tinyResidual(), { format: 'tfjs', outDir: dir, labels: ['a', 'b', 'c', 'd'], preprocessing: PRE8, modelName: 'm' })).rejects.toThrow(/not empty/);
    expect(existsSync(path.join(dir, 'holiday.jpg'))).toBe(true);
  });
});

describe('Teachable Machine export', () => {
  it('writes model.json + weights.bin + metadata.json that TM-style code loads and feeds with pixel/127 − 1', async () => {
    const model = tinyCnn();
    const dir = path.join(tmp(), 'tm');
    await exportModel(model, { format: 'teachable-machine', outDir: dir, labels: ['cat', 'dog', 'bird'], preprocessing: PRE8, modelName: 'pets' });
    const meta = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ labels: ['cat', 'dog', 'bird'], imageSize: 8, modelName: 'pets', tfjsVersion: tf.version.tfjs, packageName: '@teachablemachine/image' });
    expect(typeof meta.tmVersion).toBe('string');
    // What Teachable Machine's library does: tf.loadLayersModel(model.json) with weights.bin next to it.
    const modelJson = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bin = readFileSync(path.join(dir, 'weights.bin'));
    const tm = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(bin).buffer }),
    );
    const p = pixels(5);
    const lab = predict(model, p.div(255));
    const viaTm = predict(tm, p.div(127).sub(1));
    expect(maxDiff(lab, viaTm)).toBeLessThanOrEqual(1e-5);
    // And the lab imports its own TM export.
    const back = await loadExportedModel(dir);
    expect(back.kind).toBe('teachable-machine');
    expect(back.labels).toEqual(['cat', 'dog', 'bird']);
    expect(maxDiff(lab, predict(back.model, p.div(127.5).sub(1)))).toBeLessThanOrEqual(1e-5);
  });
});
