/**
 * Concept lab calls: the dropout and batch-norm explainers, computed by the training engine's own layers
 * (tfjs's Dropout as the scratch models use it, and SeedBatchNorm) on a tiny network, in this process.
 * Everything here is a few hundred floats, so it runs synchronously after the backend is chosen.
 */
import * as tf from '@tensorflow/tfjs';
import type { LabHandlers, LabParsedArgs } from '../../../shared/contract';
import type { BatchNormDemo, DropoutDemo } from '../../../shared/dto';
import { initBackend } from '../../engine/backend';
import { batchNormBatchSizeWarning, SeedBatchNorm } from '../../models';
import type { ServiceContext } from '../context';

export type ConceptsHandlers = Pick<LabHandlers, 'concepts.dropout' | 'concepts.batchNorm'>;
type DropoutRequest = LabParsedArgs<'concepts.dropout'>[0];
type BatchNormRequest = LabParsedArgs<'concepts.batchNorm'>[0];

const mean = (v: readonly number[]): number => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0);

/**
 * A dense ReLU layer (He-initialised, seeded) on a seeded input vector, then tfjs Dropout with rate p
 * applied in training mode (inverted dropout) and inference mode (identity).
 */
export function dropoutDemo(req: DropoutRequest): DropoutDemo {
  const dense = tf.layers.dense({
    units: req.units,
    activation: 'relu',
    kernelInitializer: tf.initializers.heNormal({ seed: req.seed }),
    // a small positive bias keeps most units active, so the mask's effect is visible
    biasInitializer: tf.initializers.constant({ value: 0.1 }),
  });
  const drop = tf.layers.dropout({ rate: req.p, seed: req.maskSeed ?? req.seed + 1 });
  try {
    const [inference, training, trainingAverage] = tf.tidy(() => {
      const x = tf.randomNormal([1, req.inputs], 0, 1, 'float32', req.seed + 2);
      const h = dense.apply(x) as tf.Tensor2D;
      const test = drop.apply(h, { training: false }) as tf.Tensor2D;
      const train = drop.apply(h, { training: true }) as tf.Tensor2D;
      // one batch of `trials` copies: Dropout draws an independent mask per element
      const many = drop.apply(tf.tile(h, [req.trials, 1]), { training: true }) as tf.Tensor2D;
      return [test.arraySync()[0]!, train.arraySync()[0]!, tf.mean(many, 0).arraySync() as number[]];
    });
    const active = inference.map((v, i) => ({ v, t: training[i]! })).filter((u) => u.v > 0);
    return {
      p: req.p,
      inference,
      training,
      trainingAverage,
      trials: req.trials,
      meanInference: mean(inference),
      meanTraining: mean(training),
      droppedFraction: active.length ? active.filter((u) => u.t === 0).length / active.length : 0,
      backend: tf.getBackend(),
    };
  } finally {
    if (dense.built) dense.dispose();
  }
}

/**
 * `steps` batches from N(shift, scale²) through SeedBatchNorm in training mode (updating its moving
 * statistics), then the last batch through the same layer in inference mode.
 */
export function batchNormDemo(req: BatchNormRequest): BatchNormDemo {
  const { batchSize, features } = req;
  const bn = new SeedBatchNorm({ momentum: req.momentum, ...(req.epsilon !== undefined ? { epsilon: req.epsilon } : {}) });
  const input = tf.input({ shape: [features] });
  // a one-layer model so the engine's own batch-size check (which inspects a model) applies unchanged
  const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
  try {
    tf.tidy(() => {
      const [, , mm0, mv0] = bn.getWeights();
      bn.setWeights([tf.fill([features], req.gamma), tf.fill([features], req.beta), mm0!, mv0!]);
    });
    let before: number[][] = [];
    let training: number[][] = [];
    let batchMean: number[] = [];
    let batchVariance: number[] = [];
    for (let s = 0; s < req.steps; s++) {
      const last = s === req.steps - 1;
      tf.tidy(() => {
        const x = tf.randomNormal([batchSize, features], req.shift, req.scale, 'float32', req.seed + s);
        const y = bn.apply(x, { training: true }) as tf.Tensor2D;
        if (last) {
          before = x.arraySync() as number[][];
          training = y.arraySync();
          const m = tf.moments(x, 0);
          batchMean = m.mean.arraySync() as number[];
          batchVariance = m.variance.arraySync() as number[];
        }
      });
    }
    const inference = tf.tidy(() => (bn.apply(tf.tensor2d(before), { training: false }) as tf.Tensor2D).arraySync());
    const [gamma, beta, movingMean, movingVariance] = bn.getWeights().map((w) => w.arraySync() as number[]);
    return {
      batchSize,
      features,
      before,
      training,
      inference,
      batchMean,
      batchVariance,
      movingMean: movingMean!,
      movingVariance: movingVariance!,
      gamma: gamma!,
      beta: beta!,
      epsilon: bn.epsilon,
      momentum: bn.momentum,
      steps: req.steps,
      warning: batchNormBatchSizeWarning(model, batchSize),
      backend: tf.getBackend(),
    };
  } finally {
    model.dispose();
  }
}

/** The concept lab's engine-backed explainers (the polynomial fit stays in the renderer). */
export function conceptsHandlers(_ctx: ServiceContext): ConceptsHandlers {
  return {
    'concepts.dropout': async (req) => {
      await initBackend();
      return dropoutDemo(req);
    },
    'concepts.batchNorm': async (req) => {
      await initBackend();
      return batchNormDemo(req);
    },
  };
}
