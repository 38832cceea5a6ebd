/**
 * `model: auto`: a model, input and epoch count proposed from what an imported dataset looks like, with the reason in
 * one sentence (a message code, so it reads in English and Chinese). Pure, so the engine, the CLI and the Train form
 * all make the same choice from a DatasetSummary. Rules:
 * - photos (colour, short side ≥ 96 px), or few images per class (< 100) at 32 px or more: transfer from the bundled
 *   MobileNetV2 at 224 with the backbone frozen (its embeddings are cached, so 20 epochs cost about one pass);
 * - small images (short side ≤ 64 px): the small CNN at their own size and channels;
 * - anything else (bigger grey images, many per class): a 3-block CNN at the suggested size, at most 64.
 * Every field of the result stays editable; `modelChoice` records what was chosen and why in the run's config.
 */
import type { InputConfig, ModelConfig, TrainConfig, TrainConfigInput } from './config';
import type { DatasetSummary } from './dto';
import { english, msg, type LabMessage } from './messages';
import type { MessageCode } from './messages';

export const TRANSFER_SIZE = 224;
const PHOTO_SIDE = 96;
const SMALL_SIDE = 64;
const FEW_PER_CLASS = 100;
const MIN_TRANSFER_SIDE = 32;

export interface DatasetFacts {
  channels: 1 | 3;
  medianWidth: number | null;
  medianHeight: number | null;
  /** median images per class (all splits) */
  perClass: number;
  classes: number;
  images: number;
  suggestedInputSize: number;
  imbalanceRatio: number;
}

export function factsOf(dataset: DatasetSummary): DatasetFacts {
  const totals = dataset.classes.map((c) => c.counts.train + c.counts.val + c.counts.test).sort((a, b) => a - b);
  const s = dataset.stats;
  return {
    channels: s?.suggestedChannels ?? 3,
    medianWidth: s?.medianWidth ?? null,
    medianHeight: s?.medianHeight ?? null,
    perClass: totals.length ? totals[Math.floor(totals.length / 2)]! : 0,
    classes: dataset.classes.length,
    images: dataset.images,
    suggestedInputSize: s?.suggestedInputSize ?? 32,
    imbalanceRatio: s?.imbalanceRatio ?? 1,
  };
}

export interface ModelChoice {
  model: ModelConfig;
  input: InputConfig;
  epochs?: number;
  batchSize?: number;
  reason: LabMessage;
  /** A balance setting when the classes are unequal enough to need one (see suggestBalance). */
  balance: TrainConfig['balance'];
  balanceReason: LabMessage | null;
}

const TRANSFER_MODEL: ModelConfig = {
  kind: 'transfer',
  backbone: 'builtin:mobilenetv2',
  trainableLayers: 0,
  // Teachable Machine's head: Dense 100 then the classifier; light dropout for a few images per class.
  dense: [{ units: 100, batchNorm: false, activation: 'relu', dropout: 0 }],
  headDropout: 0.2,
};

const block = (filters: number) => ({ filters, kernel: 3, stride: 1 as const, batchNorm: true, activation: 'relu' as const, pool: 'max' as const, dropout: 0 });

/** Class balance from the imbalance ratio: none below 1.5×, class weights up to 4×, oversampling beyond. */
export function suggestBalance(imbalanceRatio: number): { balance: TrainConfig['balance']; reason: LabMessage | null } {
  const ratio = Math.round(imbalanceRatio * 10) / 10;
  if (!(imbalanceRatio >= 1.5)) return { balance: 'none', reason: null };
  if (imbalanceRatio < 4) return { balance: 'class-weights', reason: msg('model.balance.classWeights', { ratio }) };
  return { balance: 'oversample', reason: msg('model.balance.oversample', { ratio }) };
}

export function chooseModel(f: DatasetFacts): ModelChoice {
  const { balance, reason: balanceReason } = suggestBalance(f.imbalanceRatio);
  const base = { balance, balanceReason };
  const width = f.medianWidth ?? 0;
  const height = f.medianHeight ?? 0;
  const side = f.medianWidth !== null && f.medianHeight !== null ? Math.min(width, height) : null;
  const reason = (code: MessageCode, size: number): LabMessage => msg(code, { width, height, perClass: f.perClass, size });
  if (side === null) {
    return { ...base, model: cnnModel(2), input: { size: 32, channels: f.channels, fit: 'squash' }, reason: msg('model.auto.cnnUnknown', { size: 32 }) };
  }
  const photos = f.channels === 3 && side >= PHOTO_SIDE;
  const few = f.perClass < FEW_PER_CLASS && side >= MIN_TRANSFER_SIDE;
  if (photos || few) {
    return {
      ...base,
      model: structuredClone(TRANSFER_MODEL),
      input: { size: TRANSFER_SIZE, channels: 3, fit: 'squash' },
      epochs: 20,
      batchSize: 16,
      reason: reason(photos ? 'model.auto.transferPhotos' : 'model.auto.transferFew', TRANSFER_SIZE),
    };
  }
  if (side <= SMALL_SIDE) {
    const size = Math.max(8, Math.min(SMALL_SIDE, f.suggestedInputSize));
    return { ...base, model: cnnModel(2), input: { size, channels: f.channels, fit: 'squash' }, reason: reason(f.channels === 1 ? 'model.auto.cnnSmallGrey' : 'model.auto.cnnSmallColour', size) };
  }
  const size = Math.min(SMALL_SIDE, f.suggestedInputSize);
  return { ...base, model: cnnModel(3), input: { size, channels: f.channels, fit: 'squash' }, reason: reason('model.auto.cnnMany', size) };
}

function cnnModel(blocks: 2 | 3): ModelConfig {
  return { kind: 'cnn', blocks: [block(16), block(32), block(64)].slice(0, blocks), globalPool: false, headDropout: 0.5, dense: [] };
}

/**
 * Fills a config being built with the choice: the model, the input (fields the caller set explicitly win), the
 * epochs and batch size unless given, the suggested balance unless given, and `modelChoice` with the reason.
 */
export function applyModelChoice(config: Record<string, unknown>, choice: ModelChoice): TrainConfigInput & Record<string, unknown> {
  const explicitInput = (config['input'] as Partial<InputConfig> | undefined) ?? {};
  const out: Record<string, unknown> = { ...config, model: choice.model, input: { ...choice.input, ...explicitInput } };
  if (choice.epochs !== undefined && config['epochs'] === undefined) out['epochs'] = choice.epochs;
  if (choice.batchSize !== undefined && config['batchSize'] === undefined) out['batchSize'] = choice.batchSize;
  if (config['balance'] === undefined && choice.balance !== 'none') out['balance'] = choice.balance;
  const params = (choice.reason.params ?? {}) as Record<string, string | number>;
  out['modelChoice'] = { reason: english(choice.reason), code: choice.reason.code, params };
  return out as TrainConfigInput & Record<string, unknown>;
}

/** Whether a config (as given, before defaults) asks for the automatic choice: no model, or model "auto". */
export function wantsAutoModel(config: Record<string, unknown>): boolean {
  const m = config['model'];
  return m === undefined || m === 'auto' || (typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'auto');
}

/** A model in a few words, e.g. "transfer from builtin:mobilenetv2 (frozen) at 224×224×3". */
export function describeModel(config: Pick<TrainConfig, 'model' | 'input'>): string {
  const m = config.model;
  const at = `at ${config.input.size}×${config.input.size}×${config.input.channels}`;
  if (m.kind === 'transfer') return `transfer from ${m.backbone} (${m.trainableLayers === 0 ? 'frozen' : `top ${m.trainableLayers} layers trainable`}) ${at}`;
  if (m.kind === 'cnn') return `CNN with ${m.blocks.length} conv blocks ${at}`;
  if (m.kind === 'resnet') return `ResNet-${m.depth} ${at}`;
  return `MLP ${at}`;
}
