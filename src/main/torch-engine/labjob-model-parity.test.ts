/**
 * The torch job rebuilds the lab's model from its model.json: for every model kind the lab trains (mlp, cnn with
 * dropout and batch norm, resnet with a stride-2 1×1 shortcut at an odd size, a transfer model on a nested backbone with
 * DepthwiseConv2D, ReLU6 and batch norm, a Teachable-Machine-style nested model, and the built-in MobileNetV2 with its
 * pretrained weights) labjob's torch model gives the tfjs model's probabilities within 1e-4 in inference mode.
 * A frozen backbone stays unchanged when labjob trains.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../shared/config';
import { buildModel, saveModelToDir } from '../models';
import { parseTrainConfig } from '../training/train-config';
import { hasTorch, labLines, randomImages, readF32, runLabjob, tfjsProbabilities, writeJobFolder } from './test-support/labjob-fixture';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(tmpdir(), 'labjob-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Non-trivial batch-norm statistics and affine parameters, so inference-mode BN is really exercised. */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  let s = seed;
  const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const leaves = (m: tf.LayersModel): tf.layers.Layer[] => m.layers.flatMap((l) => (l instanceof tf.LayersModel ? leaves(l) : [l]));
  for (const layer of leaves(model)) {
    if (layer.weights.length === 0) continue;
    const values = layer.getWeights().map((v, i) => {
      const name = layer.weights[i]!.originalName;
      const fill = (f: () => number) => tf.tensor(Float32Array.from({ length: v.size }, f), v.shape);
      if (/moving_variance$/.test(name)) return fill(() => 0.5 + u());
      if (/moving_mean$/.test(name)) return fill(() => (u() - 0.5) * 0.4);
      if (/gamma$/.test(name)) return fill(() => 0.5 + u());
      if (/beta$/.test(name)) return fill(() => (u() - 0.5) * 0.2);
      return v;
    });
    layer.setWeights(values);
  }
}

/** A small MobileNet-like backbone: zero padding, stride-2 conv, BN, ReLU6, depthwise (multiplier 2), 1×1 projection, Add, Concatenate. */
function backbone(): tf.LayersModel {
  const inp = tf.input({ shape: [9, 9, 3], name: 'bb_in' });
  let x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'bb_pad' }).apply(inp) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'bb_conv1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bb_bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'bb_relu1' }).apply(x) as tf.SymbolicTensor;
  let z = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: 2, useBias: false, name: 'bb_dw' }).apply(x) as tf.SymbolicTensor;
  z = tf.layers.batchNormalization({ name: 'bb_bn2' }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.reLU({ maxValue: 6, name: 'bb_relu2' }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'bb_project' }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.batchNormalization({ name: 'bb_bn3' }).apply(z) as tf.SymbolicTensor;
  const pooled = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'bb_pool' }).apply(x) as tf.SymbolicTensor;
  const added = tf.layers.add({ name: 'bb_add' }).apply([pooled, z]) as tf.SymbolicTensor;
  const out = tf.layers.concatenate({ name: 'bb_concat' }).apply([added, z]) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out, name: 'bb' });
}

/** Teachable Machine's shape: Sequential[frozen backbone Model, pooling, Dense, Dropout, Dense softmax], tfjs BatchNormalization inside. */
function nestedModel(): tf.LayersModel {
  const bb = backbone();
  bb.trainable = false;
  const m = tf.sequential({ name: 'tm_like' });
  m.add(bb);
  m.add(tf.layers.globalAveragePooling2d({ name: 'tm_pool' }));
  m.add(tf.layers.dense({ units: 8, activation: 'relu', name: 'tm_dense1' }));
  m.add(tf.layers.dropout({ rate: 0.3, name: 'tm_drop' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', name: 'tm_dense2' }));
  return m;
}

const SCRATCH: Record<string, { model: ModelConfig; size: number; channels: 1 | 3 }> = {
  mlp: { model: { kind: 'mlp', inputDropout: 0.1, hidden: [{ units: 16, batchNorm: true, activation: 'elu', dropout: 0.5 }] } as ModelConfig, size: 8, channels: 1 },
  cnn: {
    model: {
      kind: 'cnn',
      blocks: [
        { filters: 4, kernel: 3, stride: 2, batchNorm: true, activation: 'relu', pool: 'max', dropout: 0.2 },
        { filters: 6, kernel: 2, stride: 1, batchNorm: true, activation: 'tanh', pool: 'avg', dropout: 0 },
      ],
      globalPool: false,
      headDropout: 0.5,
      dense: [{ units: 8, batchNorm: true, activation: 'relu', dropout: 0.3 }],
    },
    size: 9,
    channels: 3,
  },
  resnet: { model: { kind: 'resnet', depth: 8, width: 4, headDropout: 0.2 }, size: 9, channels: 3 },
};

async function compare(name: string, model: tf.LayersModel, size: number, channels: 1 | 3, modelConfig: ModelConfig, normalization: 'unit' | 'symmetric' = 'unit') {
  const config = parseTrainConfig({ datasetId: 'parity', input: { size, channels, fit: 'squash' }, model: modelConfig, epochs: 1, batchSize: 8 });
  const val = randomImages(12, size, channels, 3, 7);
  const dir = await writeJobFolder(path.join(root, name), { config, classes: ['a', 'b', 'c'], model, train: randomImages(16, size, channels, 3, 3), val, normalization });
  const out = path.join(dir, 'probs.f32');
  const r = runLabjob(dir, ['predict', '--job', dir, '--model', path.join(dir, 'model-init'), '--split', 'val', '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  const torchProbs = readF32(out);
  const tfProbs = tfjsProbabilities(model, val, size, channels, normalization);
  expect(torchProbs.length).toBe(tfProbs.length);
  let maxDiff = 0;
  for (let i = 0; i < tfProbs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(torchProbs[i]! - tfProbs[i]!));
  expect(maxDiff).toBeLessThan(1e-4);
  // The outputs are not a constant that any model would match.
  expect(Math.max(...tfProbs) - Math.min(...tfProbs)).toBeGreaterThan(0.01);
  return dir;
}

describe.skipIf(!hasTorch())('labjob builds the same model as the lab (inference outputs within 1e-4)', () => {
  for (const [kind, spec] of Object.entries(SCRATCH)) {
    it(`${kind}`, async () => {
      const config = parseTrainConfig({ datasetId: 'parity', input: { size: spec.size, channels: spec.channels, fit: 'squash' }, model: spec.model });
      const model = await buildModel(config, 3);
      randomiseBatchNorm(model, 11);
      await compare(kind, model, spec.size, spec.channels, spec.model);
    });
  }

  it('a Teachable-Machine-style nested model (frozen inner model, tfjs BatchNormalization, ReLU6, depthwise)', async () => {
    const model = nestedModel();
    randomiseBatchNorm(model, 5);
    await compare('nested', model, 9, 3, { kind: 'cnn', blocks: [{ filters: 1 }] } as ModelConfig);
  });

  it('the built-in MobileNetV2 transfer model (its pretrained weights, top layers trainable)', async () => {
    const modelConfig = { kind: 'transfer', backbone: 'builtin:mobilenetv2', trainableLayers: 3 } as ModelConfig;
    const config = parseTrainConfig({ datasetId: 'parity', input: { size: 32, channels: 3, fit: 'squash' }, model: modelConfig });
    await compare('mobilenetv2', await buildModel(config, 3), 32, 3, modelConfig, 'symmetric');
  });

  it('the lab transfer model on that nested backbone, and its frozen backbone stays untouched by training', async () => {
    const bbDir = path.join(root, 'backbone');
    const nested = nestedModel();
    randomiseBatchNorm(nested, 9);
    await saveModelToDir(nested, bbDir);
    const modelConfig = { kind: 'transfer', backbone: bbDir, trainableLayers: 0, inputNormalization: 'symmetric', dense: [{ units: 6, batchNorm: false, activation: 'relu', dropout: 0.2 }], headDropout: 0.3 } as ModelConfig;
    const config = parseTrainConfig({ datasetId: 'parity', input: { size: 9, channels: 3, fit: 'squash' }, model: modelConfig });
    const model = await buildModel(config, 3);
    const dir = await compare('transfer', model, 9, 3, modelConfig, 'symmetric');

    const run = runLabjob(dir, ['run', '--job', dir, '--fresh']);
    expect(run.status, run.stderr).toBe(0);
    expect(labLines(run.stdout).filter((l) => l.kind === 'epoch')).toHaveLength(1);
    const manifest = (d: string) => (JSON.parse(readFileSync(path.join(d, 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] }).weightsManifest[0]!.weights;
    const values = (d: string) => {
      const all = readF32(path.join(d, 'weights.bin'));
      let off = 0;
      return new Map(manifest(d).map((w) => {
        const n = w.shape.reduce((a, b) => a * b, 1);
        const v = all.subarray(off, off + n);
        off += n;
        return [w.name, v];
      }));
    };
    const before = values(path.join(dir, 'model-init'));
    const after = values(path.join(dir, 'out'));
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, v] of before) {
      const same = v.every((x, i) => x === after.get(name)![i]);
      // Backbone layers (bb_*) keep every weight, batch-norm statistics included (frozen BN runs in inference mode); the head learns.
      if (name.startsWith('bb_')) expect(same, name).toBe(true);
      if (name.startsWith('logits/')) expect(same, name).toBe(false);
    }
  });
});
