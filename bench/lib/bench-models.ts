// The `bench` and `ref` architectures of ../shared/peers/torch_ref.py, built with tf.layers directly so the
// benchmark does not depend on the app's model builders (models/ belongs elsewhere).
import * as tf from '@tensorflow/tfjs';

export type BenchArch = 'bench' | 'ref';

function convBlock(model: tf.Sequential, filters: number, inputShape?: number[]): void {
  model.add(
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      ...(inputShape ? { inputShape } : {}),
    }),
  );
  // PyTorch's BatchNorm2d defaults: momentum 0.1 (Keras 0.9), eps 1e-5.
  model.add(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
  model.add(tf.layers.reLU());
}

export function buildBenchModel(arch: BenchArch, size: number, channels: number, classes = 10): tf.Sequential {
  const m = tf.sequential();
  const shape = [size, size, channels];
  if (arch === 'bench') {
    convBlock(m, 16, shape);
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    convBlock(m, 32);
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  } else {
    convBlock(m, 32, shape);
    convBlock(m, 32);
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    convBlock(m, 64);
    convBlock(m, 64);
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.dense({ units: 128, useBias: false }));
    m.add(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
    m.add(tf.layers.reLU());
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  }
  return m;
}
