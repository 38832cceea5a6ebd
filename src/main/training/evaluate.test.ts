import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ImageArray } from '../datasets/image-array';
import { evaluateModel } from './evaluate';
import { toInputTensor } from './input';

await tf.setBackend('cpu');

/** A fixed "model": softmax of a hand-set linear map of the 1×1×3 pixel, so its predictions are known. */
function fixedModel(): tf.LayersModel {
  const input = tf.input({ shape: [1, 1, 3] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 3, activation: 'softmax', useBias: false });
  const model = tf.model({ inputs: input, outputs: dense.apply(flat) as tf.SymbolicTensor });
  dense.setWeights([tf.eye(3).mul(10)]); // class = brightest channel
  return model;
}

function data(pixels: [number, number, number][], labels: number[]): ImageArray {
  return {
    x: Uint8Array.from(pixels.flat()),
    y: Int32Array.from(labels),
    index: Int32Array.from(labels.map((_, i) => 100 + i)),
    n: labels.length,
    size: 1,
    channels: 3,
    classes: ['red', 'green', 'blue'],
  };
}

describe('evaluateModel', () => {
  const pre = { input: { size: 1, channels: 3 as const, fit: 'squash' as const }, normalization: 'unit' as const, channelOrder: 'RGB' as const, layout: 'NHWC' as const };
  // predictions: red, red, green, blue, blue, green
  const set = data(
    [
      [255, 0, 0],
      [200, 10, 0],
      [0, 255, 0],
      [0, 0, 255],
      [0, 0, 250],
      [100, 250, 240],
    ],
    [0, 1, 1, 2, 2, 2],
  );

  it('accuracy, confusion matrix and per-class precision/recall/F1', async () => {
    const ev = await evaluateModel(fixedModel(), set, pre, { paths: (i) => `/data/img${i}.png` });
    expect(ev.accuracy).toBeCloseTo(4 / 6, 6);
    expect(ev.confusion).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 2],
    ]);
    const [red, green, blue] = ev.perClass;
    expect(red).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
    expect(green!.precision).toBeCloseTo(0.5, 6);
    expect(green!.recall).toBeCloseTo(0.5, 6);
    expect(blue!.precision).toBe(1);
    expect(blue!.recall).toBeCloseTo(2 / 3, 6);
    expect(blue!.f1).toBeCloseTo((2 * 1 * (2 / 3)) / (1 + 2 / 3), 6);
    expect(ev.loss).toBeGreaterThan(0);
  });

  it('misclassified examples carry their path, labels and probabilities, most confident first', async () => {
    const ev = await evaluateModel(fixedModel(), set, pre, { paths: (i) => `/data/img${i}.png` });
    expect(ev.misclassified.map((m) => m.index)).toEqual([101, 105]);
    expect(ev.misclassified[0]).toMatchObject({ path: '/data/img101.png', label: 'green', predicted: 'red' });
    expect(ev.misclassified[0]!.probabilities).toHaveLength(3);
    expect(ev.misclassified[0]!.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('top-k: both mistakes have the true class as second guess', async () => {
    const ev = await evaluateModel(fixedModel(), set, pre);
    expect(ev.topK.map((t) => t.k)).toEqual([1, 2]); // k below the number of classes
    expect(ev.topK[0]!.accuracy).toBeCloseTo(4 / 6, 6);
    expect(ev.topK[1]!.accuracy).toBe(1);
  });
});

describe('toInputTensor', () => {
  it('scales uint8 pixels to [0,1] or [-1,1]', () => {
    const px = Uint8Array.from([0, 255, 51, 127]);
    expect(Array.from(toInputTensor(px, 1, 2, 1, 'unit').dataSync()).map((v) => +v.toFixed(4))).toEqual([0, 1, 0.2, 0.498]);
    expect(Array.from(toInputTensor(px, 1, 2, 1, 'symmetric').dataSync()).map((v) => +v.toFixed(4))).toEqual([-1, 1, -0.6, -0.0039]);
    expect(toInputTensor(px, 1, 2, 1, 'unit').shape).toEqual([1, 2, 2, 1]);
  });
});
