import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { classCounts, classWeights, epochLength, epochOrder, oversampledOrder } from './class-balance';
import { crossEntropy } from './train-step';

await tf.setBackend('cpu');

// 90 images of class 0, 10 of class 1, 30 of class 2.
const labels = Int32Array.from([...Array(90).fill(0), ...Array(10).fill(1), ...Array(30).fill(2)]);

describe('class weights', () => {
  it('make every class weigh the same in total, with a mean weight of 1 per image', () => {
    const counts = classCounts(labels, labels.length, 3);
    expect(counts).toEqual([90, 10, 30]);
    const w = classWeights(counts);
    counts.forEach((c, k) => expect(c * w[k]!).toBeCloseTo(130 / 3, 6));
    expect(counts.reduce((a, c, k) => a + c * w[k]!, 0) / 130).toBeCloseTo(1, 6);
    expect(classWeights([5, 0, 5])).toEqual([1, 0, 1]);
  });

  it('move a trained bias from the majority prior (0.9/0.1) to equal odds', async () => {
    // A model that can only learn one bias per class: its best guess is the class prior the loss sees.
    const y = tf.oneHot(tf.tensor1d([...Array(90).fill(0), ...Array(10).fill(1)], 'int32'), 2).toFloat();
    const fit = async (weights?: tf.Tensor1D): Promise<number[]> => {
      const bias = tf.variable(tf.zeros([2]));
      const opt = tf.train.adam(0.1);
      for (let i = 0; i < 300; i++) opt.minimize(() => crossEntropy(y, tf.tile(bias.reshape([1, 2]), [100, 1]), true, weights));
      const p = Array.from(await tf.softmax(bias).data());
      bias.dispose();
      return p;
    };
    const plain = await fit();
    expect(plain[0]).toBeCloseTo(0.9, 2);
    const w = tf.tensor1d(classWeights([90, 10]));
    const weighted = await fit(w);
    expect(weighted[0]).toBeCloseTo(0.5, 2);
    expect(weighted[1]).toBeCloseTo(0.5, 2);
  });

  it('weigh a mixed (mixup) label by the mix of its classes\' weights', () => {
    const out = tf.tensor2d([[2, 0], [0, 2]]);
    const y = tf.tensor2d([[0.5, 0.5], [0, 1]]);
    const w = tf.tensor1d([1, 3]);
    const logP = tf.logSoftmax(out).arraySync() as number[][];
    const ce0 = -(0.5 * logP[0]![0]! + 0.5 * logP[0]![1]!);
    const ce1 = -logP[1]![1]!;
    const expected = (2 * ce0 + 3 * ce1) / 5;
    expect(crossEntropy(y, out, true, w).arraySync()).toBeCloseTo(expected, 5);
  });
});

describe('oversampling', () => {
  it('draws every class as often as the largest, each image of a class a near-equal number of times', () => {
    const order = oversampledOrder(labels, labels.length, 3, 7);
    expect(order.length).toBe(270);
    expect(epochLength('oversample', labels, labels.length, 3)).toBe(270);
    const perClass = [0, 0, 0];
    const perImage = new Map<number, number>();
    for (const r of order) {
      perClass[labels[r]!]!++;
      perImage.set(r, (perImage.get(r) ?? 0) + 1);
    }
    expect(perClass).toEqual([90, 90, 90]);
    for (let i = 0; i < 90; i++) expect(perImage.get(i)).toBe(1); // the largest class: exactly once
    for (let i = 90; i < 100; i++) expect(perImage.get(i)).toBe(9); // 10 images × 9 = 90
    for (let i = 100; i < 130; i++) expect(perImage.get(i)).toBe(3);
  });

  it('samples the remainder differently each epoch, reproducibly, and mixes the classes', () => {
    const y = Int32Array.from([...Array(10).fill(0), ...Array(4).fill(1)]);
    const a = epochOrder('oversample', y, 14, 2, 1);
    expect(epochOrder('oversample', y, 14, 2, 1)).toEqual(a);
    expect(epochOrder('oversample', y, 14, 2, 2)).not.toEqual(a);
    const counts = (o: Int32Array) => [10, 11, 12, 13].map((i) => o.filter((r) => r === i).length);
    for (const c of counts(a)) expect([2, 3]).toContain(c);
    expect(counts(a).reduce((s, c) => s + c, 0)).toBe(10);
    // Not one class after the other.
    expect(Array.from(a.slice(0, 10)).some((r) => y[r] === 1)).toBe(true);
  });

  it('leaves the plain epoch alone when balance is off', () => {
    expect(epochLength('none', labels, labels.length, 3)).toBe(130);
    expect([...epochOrder('class-weights', labels, 130, 3, 5)].sort((p, q) => p - q)).toEqual([...Array(130).keys()]);
  });
});

describe('balance in a training run', () => {
  it('oversampling lengthens the epoch to K × the largest class, class weights keep it', async () => {
    const { mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { syntheticImages } = await import('./synthetic-data');
    const { parseTrainConfig } = await import('./train-config');
    const { trainRun } = await import('./trainer');
    const all = syntheticImages({ n: 60, seed: 3 });
    // Keep every class-0 image and one class-1 image in six: 30 vs 5.
    const keep = [...Array(60).keys()].filter((i) => all.y[i] === 0 || i % 12 === 1);
    const px = 8 * 8;
    const train = { ...all, n: keep.length, y: Int32Array.from(keep.map((i) => all.y[i]!)), index: Int32Array.from(keep), x: Uint8Array.from(keep.flatMap((i) => [...all.x.subarray(i * px, (i + 1) * px)])) };
    const batches = async (balance: 'none' | 'class-weights' | 'oversample'): Promise<number> => {
      const seen: number[] = [];
      await trainRun({
        config: parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'mlp', hidden: [{ units: 8 }] }, epochs: 1, batchSize: 10, balance, earlyStopping: { enabled: false } }),
        train,
        val: null,
        runDir: mkdtempSync(path.join(os.tmpdir(), 'balance-')),
        hooks: { onBatch: (b) => seen.push(b.batchesPerEpoch), onEpoch: () => {}, onLog: () => {} },
      });
      return seen.length;
    };
    expect(train.n).toBe(35);
    expect(await batches('none')).toBe(4);
    expect(await batches('class-weights')).toBe(4);
    expect(await batches('oversample')).toBe(6); // 2 × 30 = 60 images
  });
});
