import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../shared/config';
import { buildModel } from '../models';
import { preprocessingFor } from '../models/preprocessing';
import { exportModel } from './export-model';
import { loadExportedModel } from './load-exported';
import { randomPixels } from './verify-export';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const argmax = (p: ArrayLike<number>, k: number): number[] =>
  Array.from({ length: p.length / k }, (_, i) => {
    const row = Array.from(p).slice(i * k, (i + 1) * k);
    return row.indexOf(Math.max(...row));
  });

describe('train tiny → export each format → same predictions', () => {
  it("a lab CNN (seed-exact batch norm with trained running statistics) exports to tfjs, Teachable Machine and ONNX that all predict like the lab", async () => {
    const config = TrainConfigSchema.parse({
      datasetId: 'd',
      input: { size: 8, channels: 3, fit: 'squash' },
      model: { kind: 'cnn', blocks: [{ filters: 4 }, { filters: 6, pool: 'avg' }], headDropout: 0.2, dense: [{ units: 8, batchNorm: true, dropout: 0.2 }] },
    });
    const pre = preprocessingFor(config);
    const model = await buildModel(config, 3);
    const n = 24;
    const train = tf.tensor4d(randomPixels(n, pre, 1), [n, 8, 8, 3]).div(255);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32'), 3);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await model.fit(train, labels, { epochs: 2, batchSize: 8, verbose: 0 });

    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-roundtrip-'));
    const names = ['circle', 'square', 'star'];
    const pixels = randomPixels(10, pre, 77);
    const x = tf.tensor4d(pixels, [10, 8, 8, 3]);
    const lab = (model.predict(x.div(255)) as tf.Tensor).dataSync();

    const tfjs = await loadExportedModel((await exportModel(model, { format: 'tfjs', outDir: path.join(root, 'tfjs'), labels: names, preprocessing: pre, modelName: 'shapes' })).dir);
    const viaTfjs = (tfjs.model.predict(x.div(255)) as tf.Tensor).dataSync();

    const tm = await loadExportedModel((await exportModel(model, { format: 'teachable-machine', outDir: path.join(root, 'tm'), labels: names, preprocessing: pre, modelName: 'shapes' })).dir);
    const viaTm = (tm.model.predict(x.div(127.5).sub(1)) as tf.Tensor).dataSync();

    const onnxDir = (await exportModel(model, { format: 'onnx', outDir: path.join(root, 'onnx'), labels: names, preprocessing: pre, modelName: 'shapes' })).dir;
    const session = await ort.InferenceSession.create(path.join(onnxDir, 'model.onnx'));
    const viaOnnx = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(pixels, (v) => v / 255), [10, 8, 8, 3]) })).probabilities.data as Float32Array;

    for (const [name, probs] of [['tfjs', viaTfjs], ['teachable-machine', viaTm], ['onnx', viaOnnx]] as const) {
      expect(maxDiff(lab, probs), name).toBeLessThanOrEqual(1e-4);
      expect(argmax(probs, 3), name).toEqual(argmax(lab, 3));
    }
    expect(tfjs.labels).toEqual(names);
    expect(tm.labels).toEqual(names);
  });
});
