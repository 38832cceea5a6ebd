/**
 * Models trained from scratch: MLP baseline, configurable CNN, CIFAR-style ResNet.
 * Every layer gets an explicit name so variable names (and checkpoints) do not depend on how many models
 * the process built before. Batch norm sits after the linear/conv layer and before the activation, and the
 * preceding layer's bias is dropped because β replaces it (docs/CONCEPTS.md#batch-normalization).
 */
import * as tf from '@tensorflow/tfjs';
import type { ConvBlock, ModelConfig, TrainConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { SeedSource } from '../training/seeded-random';
import { SeedBatchNorm } from './layers/seed-batch-norm';

type Sym = tf.SymbolicTensor;
type Activation = ConvBlock['activation'];
export type DenseSpec = { units: number; batchNorm: boolean; activation: Activation; dropout: number };

/**
 * PyTorch's default initialisation (kaiming_uniform with a = √5, i.e. U(±1/√fan_in)) rather than Keras's
 * Glorot: the lab is measured against the PyTorch peer, and the same start makes the curves comparable.
 */
/** PyTorch's default kernel initialisation, seeded explicitly (see training/seeded-random.ts). */
const kernelInitializer = (seeds: SeedSource) => tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: seeds() });

function act(x: Sym, activation: Activation, name: string): Sym {
  return activation === 'linear' ? x : (tf.layers.activation({ activation, name }).apply(x) as Sym);
}

function dropout(x: Sym, rate: number, name: string): Sym {
  // tfjs Dropout is inverted dropout and its `rate` is the drop probability, as the configs say.
  return rate > 0 ? (tf.layers.dropout({ rate, name }).apply(x) as Sym) : x;
}

/** Dense head layers (linear → [BN] → activation → dropout), then the softmax classifier. */
export function denseHead(x: Sym, layers: DenseSpec[], numClasses: number, prefix: string, seeds: SeedSource): Sym {
  let h = x;
  layers.forEach((l, i) => {
    const n = `${prefix}${i + 1}`;
    h = tf.layers.dense({ units: l.units, useBias: !l.batchNorm, kernelInitializer: kernelInitializer(seeds), name: `${n}_dense` }).apply(h) as Sym;
    if (l.batchNorm) h = new SeedBatchNorm({ name: `${n}_bn` }).apply(h) as Sym;
    h = act(h, l.activation, `${n}_act`);
    h = dropout(h, l.dropout, `${n}_drop`);
  });
  return classifier(h, numClasses, seeds);
}

/**
 * The classifier: a linear layer named 'logits' then softmax named 'predictions'. Keeping the logits as a layer
 * lets the trainer compute the loss with log-softmax (stable, and a diverging run shows up as NaN/Inf instead of
 * being hidden by probability clipping), while the saved model still outputs probabilities.
 */
export function classifier(x: Sym, numClasses: number, seeds: SeedSource): Sym {
  const logits = tf.layers.dense({ units: numClasses, kernelInitializer: kernelInitializer(seeds), name: LOGITS_LAYER }).apply(x) as Sym;
  return tf.layers.activation({ activation: 'softmax', name: 'predictions' }).apply(logits) as Sym;
}

export const LOGITS_LAYER = 'logits';

function mlp(cfg: Extract<ModelConfig, { kind: 'mlp' }>, input: Sym, numClasses: number, seeds: SeedSource): Sym {
  let x = tf.layers.flatten({ name: 'flatten' }).apply(input) as Sym;
  x = dropout(x, cfg.inputDropout, 'input_drop');
  return denseHead(x, cfg.hidden, numClasses, 'hidden', seeds);
}

function cnn(cfg: Extract<ModelConfig, { kind: 'cnn' }>, input: Sym, size: number, numClasses: number, seeds: SeedSource): Sym {
  let x = input;
  let side = size;
  cfg.blocks.forEach((b, i) => {
    const n = `block${i + 1}`;
    x = tf.layers.conv2d({ filters: b.filters, kernelSize: b.kernel, strides: b.stride, padding: 'same', useBias: !b.batchNorm, kernelInitializer: kernelInitializer(seeds), name: `${n}_conv` }).apply(x) as Sym;
    side = Math.ceil(side / b.stride);
    if (b.batchNorm) x = new SeedBatchNorm({ name: `${n}_bn` }).apply(x) as Sym;
    x = act(x, b.activation, `${n}_act`);
    if (b.pool !== 'none') {
      if (side < 2) {
        throw new LabError('BAD_CONFIG', msg('model.cnn.poolTooSmall', { i, side, block: i + 1 }));
      }
      const pool = b.pool === 'max' ? tf.layers.maxPooling2d({ poolSize: 2, name: `${n}_pool` }) : tf.layers.averagePooling2d({ poolSize: 2, name: `${n}_pool` });
      x = pool.apply(x) as Sym;
      side = Math.floor(side / 2);
    }
    x = dropout(x, b.dropout, `${n}_drop`);
  });
  x = (cfg.globalPool ? tf.layers.globalAveragePooling2d({ name: 'global_pool' }) : tf.layers.flatten({ name: 'flatten' })).apply(x) as Sym;
  x = dropout(x, cfg.headDropout, 'head_drop');
  return denseHead(x, cfg.dense, numClasses, 'dense', seeds);
}

/** CIFAR ResNet (He et al. 2016, §4.2): depth 6n+2, three stages of n basic blocks, widths w, 2w, 4w. */
function resnet(cfg: Extract<ModelConfig, { kind: 'resnet' }>, input: Sym, numClasses: number, seeds: SeedSource): Sym {
  const n = (cfg.depth - 2) / 6;
  const convBn = (x: Sym, filters: number, kernel: number, stride: number, name: string): Sym => {
    const c = tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: kernelInitializer(seeds), name: `${name}_conv` }).apply(x) as Sym;
    return new SeedBatchNorm({ name: `${name}_bn` }).apply(c) as Sym;
  };
  let x = act(convBn(input, cfg.width, 3, 1, 'stem'), 'relu', 'stem_act');
  let channels = cfg.width;
  for (let stage = 0; stage < 3; stage++) {
    const filters = cfg.width * 2 ** stage;
    for (let block = 0; block < n; block++) {
      const name = `stage${stage + 1}_block${block + 1}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      let h = act(convBn(x, filters, 3, stride, `${name}_a`), 'relu', `${name}_a_act`);
      h = convBn(h, filters, 3, 1, `${name}_b`);
      const shortcut = stride !== 1 || channels !== filters ? convBn(x, filters, 1, stride, `${name}_proj`) : x;
      x = act(tf.layers.add({ name: `${name}_add` }).apply([h, shortcut]) as Sym, 'relu', `${name}_out`);
      channels = filters;
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as Sym;
  x = dropout(x, cfg.headDropout, 'head_drop');
  return classifier(x, numClasses, seeds);
}

/** Builds a scratch model; every initial weight is drawn from `seeds`, so the same seed gives the same weights. */
export function buildScratchModel(config: TrainConfig, numClasses: number, seeds: SeedSource): tf.LayersModel {
  const { size, channels } = config.input;
  const input = tf.input({ shape: [size, size, channels], name: 'image' });
  const m = config.model;
  let output: Sym;
  switch (m.kind) {
    case 'mlp':
      output = mlp(m, input, numClasses, seeds);
      break;
    case 'cnn':
      output = cnn(m, input, size, numClasses, seeds);
      break;
    case 'resnet':
      output = resnet(m, input, numClasses, seeds);
      break;
    case 'transfer':
      throw new Error('buildScratchModel: transfer models are built by buildTransferModel');
  }
  return tf.model({ inputs: input, outputs: output, name: m.kind });
}
