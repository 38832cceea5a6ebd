import { z } from 'zod';
import { AugmentConfigSchema } from './augment-config';
import { strictObject } from './strict-object';

/** Everything a run needs, as plain JSON: reproducible, and able to cross a process boundary. */

const probability = (what: string) =>
  z.number().min(0, `${what} must be between 0 and 1 (0 = off)`).lt(1, `${what} must be below 1 (1 would drop every unit)`);

export const InputConfigSchema = strictObject({
  /** Square side in pixels the images are resized to. */
  size: z.number().int().min(8, 'must be at least 8 pixels').max(512, 'must be at most 512 pixels').default(32),
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  fit: z.enum(['squash', 'crop', 'letterbox']).default('squash'),
});
export type InputConfig = z.infer<typeof InputConfigSchema>;

export const ActivationSchema = z.enum(['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'linear']);

export const ConvBlockSchema = strictObject({
  filters: z.number().int().min(1).max(1024),
  kernel: z.number().int().min(1).max(11).default(3),
  stride: z.union([z.literal(1), z.literal(2)]).default(1),
  batchNorm: z.boolean().default(true),
  activation: ActivationSchema.default('relu'),
  pool: z.enum(['max', 'avg', 'none']).default('max'),
  /** Drop probability after the block (inverted dropout). */
  dropout: probability('dropout').default(0),
});
export type ConvBlock = z.infer<typeof ConvBlockSchema>;

export const DenseLayerSchema = strictObject({
  units: z.number().int().min(1).max(8192),
  batchNorm: z.boolean().default(false),
  activation: ActivationSchema.default('relu'),
  /** Drop probability after the layer (inverted dropout); the document's advice is ≈0.5 for hidden layers. */
  dropout: probability('dropout').default(0.5),
});

export const ModelConfigSchema = z.discriminatedUnion('kind', [
  strictObject({
    kind: z.literal('mlp'),
    inputDropout: probability('inputDropout').default(0),
    hidden: z.array(DenseLayerSchema).default([{ units: 128, batchNorm: false, activation: 'relu', dropout: 0.5 }]),
  }),
  strictObject({
    kind: z.literal('cnn'),
    blocks: z.array(ConvBlockSchema).min(1, 'needs at least one convolution block'),
    globalPool: z.boolean().default(false),
    /** Drop probability just before the head (after flatten / global pooling). */
    headDropout: probability('headDropout').default(0.5),
    dense: z.array(DenseLayerSchema).default([]),
  }),
  strictObject({
    kind: z.literal('resnet'),
    depth: z.union([z.literal(8), z.literal(14), z.literal(20)]).default(8),
    width: z.number().int().min(4).max(128).default(16),
    headDropout: probability('headDropout').default(0),
  }),
  strictObject({
    kind: z.literal('transfer'),
    /** 'builtin:mobilenetv2', 'catalog:<id>' (a well-known model downloaded on first use: `lab backbones`), or a folder holding a tfjs layers model.json. */
    backbone: z.string().min(1).default('builtin:mobilenetv2'),
    /** Layer whose output feeds the new head; default: the backbone's last feature layer. */
    cutLayer: z.string().optional(),
    /** Number of backbone layers (from the top) left trainable; 0 freezes the whole backbone. */
    trainableLayers: z.number().int().min(0).default(0),
    /** false: the backbone's architecture with random initial weights (to measure what pretraining brings); default true. */
    pretrained: z.boolean().optional(),
    /** Pixel scaling the backbone was trained with; default: symmetric [-1,1] for the built-in MobileNetV2 and catalogue entries, unit [0,1] otherwise. */
    inputNormalization: z.enum(['unit', 'symmetric']).optional(),
    /**
     * Frozen backbone only. 'cache': run it once per image and train the head on the cached embeddings (augmentation is
     * then off); 'recompute': run it on every (augmented) image in every epoch. Default: cache unless augmentation is on.
     */
    embeddings: z.enum(['cache', 'recompute']).optional(),
    dense: z.array(DenseLayerSchema).default([]),
    headDropout: probability('headDropout').default(0.5),
  }),
]);
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const OptimizerNameSchema = z.enum(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']);
export type OptimizerName = z.infer<typeof OptimizerNameSchema>;

export const OptimizerConfigSchema = strictObject({
  name: OptimizerNameSchema.default('adam'),
  /** η */
  lr: z.number().gt(0, 'learning rate must be greater than 0').max(10, 'learning rate must be at most 10').default(1e-3),
  /** γ of Momentum / Nesterov */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** γ of RMSProp (decay of the squared-gradient average) */
  rho: z.number().min(0).lt(1).default(0.9),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().gt(0).max(1).default(1e-8),
});
export type OptimizerConfig = z.infer<typeof OptimizerConfigSchema>;

export const WeightDecaySchema = strictObject({
  kind: z.enum(['none', 'l2', 'decoupled']).default('none'),
  value: z.number().min(0, 'weight decay cannot be negative').max(1).default(0),
});

export const ScheduleSchema = strictObject({
  kind: z.enum(['constant', 'step', 'exponential', 'cosine']).default('constant'),
  /** step: multiply by gamma every stepEpochs; exponential: multiply by gamma every epoch */
  gamma: z.number().gt(0).max(1).default(0.1),
  stepEpochs: z.number().int().min(1).default(10),
  /** cosine: final lr as a fraction of the initial one */
  minFactor: z.number().min(0).max(1).default(0),
  /** linear warm-up from ~0 to lr over this many epochs (0 = none) */
  warmupEpochs: z.number().min(0).default(0),
});

export const EarlyStoppingSchema = strictObject({
  enabled: z.boolean().default(true),
  monitor: z.enum(['val_loss', 'val_accuracy']).default('val_loss'),
  patience: z.number().int().min(1).default(5),
  minDelta: z.number().min(0).default(0),
  restoreBest: z.boolean().default(true),
});

export const SplitConfigSchema = strictObject({
  /** Fractions for layouts that are not pre-split. */
  val: z.number().min(0).lt(1).default(0.15),
  test: z.number().min(0).lt(1).default(0.15),
  seed: z.number().int().default(42),
});
export type SplitConfig = z.infer<typeof SplitConfigSchema>;

export const TrainConfigSchema = strictObject({
  name: z.string().max(200).optional(),
  datasetId: z.string().min(1, 'choose a dataset'),
  input: InputConfigSchema.default({ size: 32, channels: 3, fit: 'squash' }),
  model: ModelConfigSchema.default({
    kind: 'cnn',
    blocks: [
      { filters: 16, kernel: 3, stride: 1, batchNorm: true, activation: 'relu', pool: 'max', dropout: 0 },
      { filters: 32, kernel: 3, stride: 1, batchNorm: true, activation: 'relu', pool: 'max', dropout: 0 },
    ],
    globalPool: false,
    headDropout: 0.5,
    dense: [],
  }),
  optimizer: OptimizerConfigSchema.default({ name: 'adam', lr: 1e-3, momentum: 0.9, rho: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
  weightDecay: WeightDecaySchema.default({ kind: 'none', value: 0 }),
  schedule: ScheduleSchema.default({ kind: 'constant', gamma: 0.1, stepEpochs: 10, minFactor: 0, warmupEpochs: 0 }),
  /** Clip the global gradient norm to this value; null = off. */
  clipNorm: z.number().gt(0).nullable().default(null),
  epochs: z.number().int().min(1, 'must be at least 1').max(10000).default(10),
  batchSize: z.number().int().min(1, 'must be at least 1').max(4096).default(32),
  seed: z.number().int().default(42),
  earlyStopping: EarlyStoppingSchema.default({ enabled: true, monitor: 'val_loss', patience: 5, minDelta: 0, restoreBest: true }),
  /** Stop after this many seconds (the current epoch finishes); null = no limit. */
  timeBudgetS: z.number().gt(0).nullable().default(null),
  augmentation: AugmentConfigSchema.default({ preset: 'none' }),
  /**
   * Unequal classes: 'class-weights' weights each image's loss by n / (K · n_class); 'oversample' draws every class
   * as often as the largest one in each epoch. The import advice suggests one from the imbalance ratio.
   */
  balance: z.enum(['none', 'class-weights', 'oversample']).default('none'),
  /** Set when `model: auto` chose the model and input: why, as English and as a message code with its parameters. */
  modelChoice: z
    .object({ reason: z.string(), code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).default({}) })
    .optional(),
  /** Free-form tags (e.g. the tuning step that made the run). */
  tags: z.array(z.string()).default([]),
});
/** A complete, validated config (all defaults filled in). */
export type TrainConfig = z.infer<typeof TrainConfigSchema>;
/** What a caller may send: any field may be left to its default. */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
