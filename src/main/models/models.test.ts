import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { parseTrainConfig } from '../training/train-config';
import { buildModel, preprocessingFor } from './index';

await tf.setBackend('cpu');

const cfg = (over: Partial<TrainConfigInput> = {}) => parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, ...over });

describe('buildModel', () => {
  it('CNN: conv → BN → activation → pool → dropout blocks, bias dropped before BN, softmax head', async () => {
    const model = await buildModel(
      cfg({ model: { kind: 'cnn', blocks: [{ filters: 4, dropout: 0.2 }, { filters: 6, batchNorm: false }], headDropout: 0.5, dense: [{ units: 5 }] } }),
      3,
    );
    const names = model.layers.map((l) => l.name);
    expect(names.slice(1, 6)).toEqual(['block1_conv', 'block1_bn', 'block1_act', 'block1_pool', 'block1_drop']);
    expect(model.getLayer('block1_conv').weights.map((w) => w.originalName.split('/').pop())).toEqual(['kernel']);
    expect(model.getLayer('block2_conv').weights.map((w) => w.originalName.split('/').pop())).toEqual(['kernel', 'bias']);
    expect(model.getLayer('block1_bn').getClassName()).toBe('SeedBatchNorm');
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    const p = model.predict(tf.ones([2, 8, 8, 1])) as tf.Tensor;
    expect(tf.sum(p, -1).dataSync()[0]).toBeCloseTo(1, 5);
  });

  it('MLP and CIFAR ResNet 8/14/20 (6n+2 weighted layers on the main path)', async () => {
    const mlp = await buildModel(cfg({ model: { kind: 'mlp', hidden: [{ units: 16, batchNorm: true }] } }), 2);
    expect(mlp.getLayer('hidden1_dense').weights).toHaveLength(1);
    for (const depth of [8, 14, 20] as const) {
      const model = await buildModel(cfg({ model: { kind: 'resnet', depth, width: 4 } }), 2);
      const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D' && !l.name.includes('_proj'));
      expect(convs.length + 1).toBe(depth);
      expect(model.outputs[0]!.shape).toEqual([null, 2]);
    }
  });

  it('the same seed gives the same initial weights; another seed does not', async () => {
    const c = cfg({ model: { kind: 'cnn', blocks: [{ filters: 4 }] }, seed: 3 });
    const a = (await buildModel(c, 2)).getWeights()[0]!.dataSync();
    const b = (await buildModel(c, 2)).getWeights()[0]!.dataSync();
    const other = (await buildModel({ ...c, seed: 4 }, 2)).getWeights()[0]!.dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(other)).not.toEqual(Array.from(a));
  });

  it('dropout is inverted dropout with the configured drop probability', async () => {
    const model = await buildModel(cfg({ model: { kind: 'mlp', inputDropout: 0.25, hidden: [] } }), 2);
    const layer = model.getLayer('input_drop');
    const ones = tf.ones([4000]);
    const train = (layer.apply(ones, { training: true }) as tf.Tensor).dataSync();
    const dropped = train.filter((v) => v === 0).length / train.length;
    expect(dropped).toBeGreaterThan(0.2);
    expect(dropped).toBeLessThan(0.3);
    for (const v of train) if (v !== 0) expect(v).toBeCloseTo(1 / 0.75, 5);
    const test = (layer.apply(ones, { training: false }) as tf.Tensor).dataSync();
    expect(test.every((v) => v === 1)).toBe(true);
  });

  it('refuses a pooling layer on a feature map that is already 1×1, naming the block', async () => {
    const c = cfg({ model: { kind: 'cnn', blocks: [{ filters: 2 }, { filters: 2 }, { filters: 2 }, { filters: 2 }] } });
    await expect(buildModel(c, 2)).rejects.toThrow(/model\.blocks\.3\.pool/);
  });

  it('a single class is refused', async () => {
    await expect(buildModel(cfg(), 1)).rejects.toBeInstanceOf(LabError);
  });
});

describe('preprocessingFor', () => {
  it('unit [0,1] for scratch models, symmetric [-1,1] for the built-in MobileNetV2', () => {
    expect(preprocessingFor(cfg()).normalization).toBe('unit');
    expect(preprocessingFor(cfg()).channelOrder).toBe('L');
    const t = parseTrainConfig({ datasetId: 'd', input: { size: 32, channels: 3 }, model: { kind: 'transfer' } });
    expect(preprocessingFor(t)).toMatchObject({ normalization: 'symmetric', channelOrder: 'RGB', layout: 'NHWC', input: { size: 32 } });
  });
});

describe('bad configs are rejected with a message naming the field', () => {
  const bad = (value: unknown): string => {
    try {
      parseTrainConfig(value);
    } catch (err) {
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('BAD_CONFIG');
      return (err as LabError).message;
    }
    throw new Error('config was accepted');
  };
  it('negative learning rate', () => expect(bad({ datasetId: 'd', optimizer: { lr: -0.1 } })).toMatch(/optimizer\.lr: learning rate must be greater than 0/));
  it('unknown model kind', () => expect(bad({ datasetId: 'd', model: { kind: 'transformer' } })).toMatch(/model\.kind/));
  it('unknown activation', () => expect(bad({ datasetId: 'd', model: { kind: 'cnn', blocks: [{ filters: 2, activation: 'swish' }] } })).toMatch(/model\.blocks\.0\.activation/));
  it('dropout ≥ 1', () => expect(bad({ datasetId: 'd', model: { kind: 'cnn', blocks: [{ filters: 2, dropout: 1 }] } })).toMatch(/model\.blocks\.0\.dropout: dropout must be below 1/));
  it('batch size 0', () => expect(bad({ datasetId: 'd', batchSize: 0 })).toMatch(/batchSize: must be at least 1/));
});

describe('peer architectures', () => {
  it('ref matches torch_ref.py: 4 bias-free convs with BN, dense 128 with BN, dropout 0.5 twice', async () => {
    const { PEER_ARCHITECTURES } = await import('./index');
    const model = await buildModel(parseTrainConfig({ datasetId: 'd', input: { size: 28, channels: 1 }, model: PEER_ARCHITECTURES.ref }), 10);
    const kinds = model.layers.map((l) => l.getClassName());
    expect(kinds.filter((k) => k === 'Conv2D')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'SeedBatchNorm')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'Dropout')).toHaveLength(2);
    // PyTorch parameter count of the same network: convs 288+9216+18432+36864, BN 2·(32+32+64+64+128), dense 3136·128 + 1290
    expect(model.countParams() - 2 * (32 + 32 + 64 + 64 + 128)).toBe(288 + 9216 + 18432 + 36864 + 2 * (32 + 32 + 64 + 64 + 128) + 3136 * 128 + 1290);
  });
});
