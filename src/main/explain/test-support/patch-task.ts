/** A task whose class is decided by a bright patch at a known place (for heatmap tests), and a small CNN trained on it. */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../models';
import { parseTrainConfig } from '../../training/train-config';

export const SIZE = 24;
export const PATCH = 6;
/** Top-left corner of each class's patch. */
export const PLACES: [number, number][] = [
  [3, 3],
  [15, 15],
];

export function synthetic(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D; labels: number[] } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const data = new Float32Array(n * SIZE * SIZE);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    labels.push(c);
    for (let p = 0; p < SIZE * SIZE; p++) data[i * SIZE * SIZE + p] = rand() * 0.3;
    const [r0, c0] = PLACES[c];
    for (let r = r0; r < r0 + PATCH; r++) for (let col = c0; col < c0 + PATCH; col++) data[i * SIZE * SIZE + r * SIZE + col] = 0.9 + rand() * 0.1;
  }
  return { x: tf.tensor4d(data, [n, SIZE, SIZE, 1]), y: tf.oneHot(labels, 2).toFloat() as tf.Tensor2D, labels };
}

/** Share of the heat inside the class's patch, widened by `margin` pixels (the feature map is coarser than the image). */
export function massOnPatch(heat: Float32Array, c: number, margin: number): number {
  const [r0, c0] = PLACES[c];
  let inside = 0;
  let total = 0;
  for (let r = 0; r < SIZE; r++) {
    for (let col = 0; col < SIZE; col++) {
      const h = heat[r * SIZE + col];
      total += h;
      if (r >= r0 - margin && r < r0 + PATCH + margin && col >= c0 - margin && col < c0 + PATCH + margin) inside += h;
    }
  }
  return total > 0 ? inside / total : 0;
}

export async function trainedCnn(): Promise<tf.LayersModel> {
  const config = parseTrainConfig({
    datasetId: 'synthetic',
    input: { size: SIZE, channels: 1 },
    model: {
      kind: 'cnn',
      blocks: [
        { filters: 8, kernel: 3, stride: 1, batchNorm: false, activation: 'relu', pool: 'max', dropout: 0 },
        { filters: 16, kernel: 3, stride: 1, batchNorm: false, activation: 'relu', pool: 'max', dropout: 0 },
      ],
      globalPool: false,
      headDropout: 0,
      dense: [],
    },
  });
  const model = await buildModel(config, 2);
  const train = synthetic(160, 11);
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.x, train.y, { epochs: 6, batchSize: 16, shuffle: false, verbose: 0 });
  tf.dispose([train.x, train.y]);
  return model;
}

