/**
 * The Train page's form: a handful of choices a person makes, turned into a full TrainConfig.
 * Everything not on the form keeps the schema's defaults (see src/shared/config.ts).
 */
import { TrainConfigSchema, type ModelConfig, type OptimizerName, type TrainConfig, type TrainConfigInput } from '../../../shared/config';
import type { AugmentPreset } from '../../../shared/augment-config';
import { describeIssues } from '../../../shared/validation';

export type ModelPreset = 'cnn' | 'mlp' | 'resnet' | 'transfer';

export interface TrainFormState {
  datasetId: string | null;
  preset: ModelPreset;
  inputSize: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  /** Drop probability (not keep) of the dropout before the classifier head / in hidden dense layers. */
  dropout: number;
  batchNorm: boolean;
  earlyStopping: boolean;
  patience: number;
  augmentation: AugmentPreset;
  /**
   * A full config to build on (e.g. a finished run's, or one a diagnosis prepared): every setting the form
   * does not show comes from it, and the model keeps its architecture while the preset stays the same.
   */
  base: TrainConfig | null;
}

/** Input sizes that suit each preset: small nets on small images; MobileNetV2 wants larger ones. */
export const SUGGESTED_INPUT_SIZE: Record<ModelPreset, number> = { cnn: 32, mlp: 28, resnet: 32, transfer: 96 };

export function defaultTrainForm(datasetId: string | null = null): TrainFormState {
  return {
    datasetId,
    preset: 'cnn',
    inputSize: SUGGESTED_INPUT_SIZE.cnn,
    epochs: 10,
    batchSize: 32,
    optimizer: 'adam',
    lr: 1e-3,
    dropout: 0.5,
    batchNorm: true,
    earlyStopping: true,
    patience: 5,
    augmentation: 'none',
    base: null,
  };
}

function presetOf(model: ModelConfig): ModelPreset {
  return model.kind;
}

function dropoutOf(model: ModelConfig): number {
  if (model.kind === 'mlp') return model.hidden[0]?.dropout ?? 0;
  return model.headDropout;
}

function batchNormOf(model: ModelConfig): boolean {
  if (model.kind === 'cnn') return model.blocks.some((b) => b.batchNorm);
  if (model.kind === 'mlp') return model.hidden.some((h) => h.batchNorm);
  return true;
}

/** The form showing a full config, which it keeps as its base. */
export function formFromConfig(config: TrainConfig): TrainFormState {
  return {
    datasetId: config.datasetId,
    preset: presetOf(config.model),
    inputSize: config.input.size,
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer.name,
    lr: config.optimizer.lr,
    dropout: dropoutOf(config.model),
    batchNorm: batchNormOf(config.model),
    earlyStopping: config.earlyStopping.enabled,
    patience: config.earlyStopping.patience,
    augmentation: config.augmentation.preset,
    base: config,
  };
}

/** The base model with the form's dropout and batch-norm choices written into it. */
function patchModel(model: ModelConfig, form: TrainFormState): ModelConfig {
  switch (model.kind) {
    case 'cnn':
      return { ...model, headDropout: form.dropout, blocks: model.blocks.map((b) => ({ ...b, batchNorm: form.batchNorm })) };
    case 'mlp':
      return { ...model, hidden: model.hidden.map((h) => ({ ...h, dropout: form.dropout, batchNorm: form.batchNorm })) };
    case 'resnet':
    case 'transfer':
      return { ...model, headDropout: form.dropout };
  }
}

function modelFor(form: TrainFormState): ModelConfig {
  const dense = { units: 128, batchNorm: form.batchNorm, activation: 'relu' as const, dropout: form.dropout };
  switch (form.preset) {
    case 'mlp':
      return { kind: 'mlp', inputDropout: 0, hidden: [dense] };
    case 'resnet':
      return { kind: 'resnet', depth: 8, width: 16, headDropout: form.dropout };
    case 'transfer':
      return { kind: 'transfer', backbone: 'builtin:mobilenetv2', trainableLayers: 0, dense: [], headDropout: form.dropout };
    case 'cnn':
    default: {
      const block = (filters: number) => ({ filters, kernel: 3, stride: 1 as const, batchNorm: form.batchNorm, activation: 'relu' as const, pool: 'max' as const, dropout: 0 });
      return { kind: 'cnn', blocks: [block(16), block(32)], globalPool: false, headDropout: form.dropout, dense: [] };
    }
  }
}

export function buildTrainConfig(form: TrainFormState): TrainConfigInput {
  const base = form.base;
  if (base) {
    return {
      ...base,
      datasetId: form.datasetId ?? '',
      input: { ...base.input, size: form.inputSize },
      model: base.model.kind === form.preset ? patchModel(base.model, form) : modelFor(form),
      // The automatic choice's reason no longer applies once another kind of model or input size is chosen.
      modelChoice: base.model.kind === form.preset && base.input.size === form.inputSize ? base.modelChoice : undefined,
      optimizer: { ...base.optimizer, name: form.optimizer, lr: form.lr },
      epochs: form.epochs,
      batchSize: form.batchSize,
      earlyStopping: { ...base.earlyStopping, enabled: form.earlyStopping, patience: form.patience },
      // Detailed augmentation settings survive unless another preset is chosen.
      augmentation: base.augmentation.preset === form.augmentation ? base.augmentation : { preset: form.augmentation },
    };
  }
  return {
    datasetId: form.datasetId ?? '',
    input: { size: form.inputSize, channels: 3, fit: 'squash' },
    model: modelFor(form),
    optimizer: { name: form.optimizer, lr: form.lr },
    epochs: form.epochs,
    batchSize: form.batchSize,
    earlyStopping: { enabled: form.earlyStopping, patience: form.patience },
    augmentation: { preset: form.augmentation },
  };
}

/** Problems the engine would refuse, found before sending: "field: what is wrong" sentences. */
export function trainFormProblems(form: TrainFormState): string[] {
  const result = TrainConfigSchema.safeParse(buildTrainConfig(form));
  return result.success ? [] : describeIssues(result.error.issues).split('; ');
}

/** The document's warning: batch norm in training mode needs more than one sample per batch. */
export function warnsBatchOfOne(form: TrainFormState): boolean {
  return form.batchSize === 1 && (form.batchNorm || form.preset === 'resnet');
}

/** Whether the batch-norm switch means anything for this preset (ResNet always normalises). */
export function batchNormApplies(preset: ModelPreset): boolean {
  return preset !== 'resnet';
}
