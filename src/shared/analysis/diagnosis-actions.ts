import { TrainConfigSchema, type ModelConfig, type TrainConfig } from '../config';
import type { AugmentPreset } from '../augment-config';
import type { DiagnosisKind, Evidence } from './diagnosis';

/**
 * The document's remedies (chapter 2 summary, chapter 4 step 2 and step 6) as concrete config patches, so a
 * button can prepare the modified run. A patch replaces whole top-level fields of TrainConfig, built from the
 * run's own config, so applying it is a shallow merge.
 */
export type ConfigPatch = Partial<Omit<TrainConfig, 'datasetId'>>;

export type ActionId =
  | 'more-augmentation'
  | 'more-dropout'
  | 'stop-earlier'
  | 'more-weight-decay'
  | 'bigger-model'
  | 'higher-lr'
  | 'much-higher-lr'
  | 'less-regularisation'
  | 'train-longer'
  | 'switch-to-adam'
  | 'lower-lr'
  | 'clip-gradients'
  | 'warmup'
  | 'lr-decay';

export interface DiagnosisAction {
  id: ActionId;
  patch: ConfigPatch;
  /** Numbers for the action's label, e.g. { from: 0.001, to: 0.003 }. */
  detail: Record<string, number | string>;
}

export function applyPatch(config: TrainConfig, patch: ConfigPatch): TrainConfig {
  return { ...config, ...patch };
}

const PRESETS: AugmentPreset[] = ['none', 'light', 'standard', 'strong'];

export function suggestActions(kind: DiagnosisKind, config: TrainConfig | undefined, evidence: readonly Evidence[]): DiagnosisAction[] {
  const c = config ?? TrainConfigSchema.parse({ datasetId: 'unknown' });
  const out: (DiagnosisAction | null)[] = [];
  switch (kind) {
    case 'overfitting':
      out.push(moreAugmentation(c), moreDropout(c), stopEarlier(c), moreWeightDecay(c));
      break;
    case 'underfitting': {
      const slow = evidence.some((e) => e.code === 'slow-progress');
      out.push(biggerModel(c), scaleLr(c, 3, 'higher-lr'), lessRegularisation(c), slow ? null : trainLonger(c));
      break;
    }
    case 'lr-too-low':
      out.push(scaleLr(c, 10, 'much-higher-lr'), switchToAdam(c), biggerModel(c));
      break;
    case 'diverged':
      out.push(scaleLr(c, 0.1, 'lower-lr'), clipGradients(c), warmup(c));
      break;
    case 'good-fit':
      out.push(trainLonger(c), lrDecay(c));
      break;
    case 'not-enough-data':
      break;
  }
  return out.filter((a): a is DiagnosisAction => a !== null);
}

function moreAugmentation(c: TrainConfig): DiagnosisAction | null {
  const i = PRESETS.indexOf(c.augmentation.preset);
  if (i >= PRESETS.length - 1) return null;
  const to = PRESETS[i + 1]!;
  return { id: 'more-augmentation', patch: { augmentation: { ...c.augmentation, preset: to } }, detail: { from: c.augmentation.preset, to } };
}

/** The document's layer-wise rates: hidden/head p≈0.5, convolution blocks lower (keep ≈0.8). */
function moreDropout(c: TrainConfig): DiagnosisAction | null {
  const m = c.model;
  const raise = (p: number, target: number) => Math.max(p, target);
  let model: ModelConfig;
  let where: 'hidden' | 'head' | 'blocks' = 'head';
  let to = 0.5;
  switch (m.kind) {
    case 'mlp':
      model = { ...m, hidden: m.hidden.map((h) => ({ ...h, dropout: raise(h.dropout, 0.5) })) };
      where = 'hidden';
      break;
    case 'cnn': {
      const headDone = m.headDropout >= 0.5 && m.dense.every((d) => d.dropout >= 0.5);
      if (headDone) {
        // Once the head has 0.5, the next lever is light dropout after the convolution blocks.
        model = { ...m, blocks: m.blocks.map((b) => ({ ...b, dropout: raise(b.dropout, 0.2) })) };
        where = 'blocks';
        to = 0.2;
      } else {
        model = { ...m, headDropout: raise(m.headDropout, 0.5), dense: m.dense.map((d) => ({ ...d, dropout: raise(d.dropout, 0.5) })) };
      }
      break;
    }
    case 'resnet':
      model = { ...m, headDropout: raise(m.headDropout, 0.3) };
      to = 0.3;
      break;
    case 'transfer':
      model = { ...m, headDropout: raise(m.headDropout, 0.5), dense: m.dense.map((d) => ({ ...d, dropout: raise(d.dropout, 0.5) })) };
      break;
  }
  if (JSON.stringify(model) === JSON.stringify(m)) return null;
  return { id: 'more-dropout', patch: { model }, detail: { to, where } };
}

function stopEarlier(c: TrainConfig): DiagnosisAction {
  const patience = c.earlyStopping.enabled ? Math.max(2, Math.min(3, c.earlyStopping.patience - 2)) : 3;
  return {
    id: 'stop-earlier',
    patch: { earlyStopping: { ...c.earlyStopping, enabled: true, monitor: 'val_loss', patience, restoreBest: true } },
    detail: { patience },
  };
}

function moreWeightDecay(c: TrainConfig): DiagnosisAction {
  const value = c.weightDecay.kind === 'none' || c.weightDecay.value === 0 ? 1e-4 : Math.min(1, c.weightDecay.value * 10);
  const kind = c.weightDecay.kind === 'none' ? 'l2' : c.weightDecay.kind;
  return { id: 'more-weight-decay', patch: { weightDecay: { kind, value } }, detail: { to: value } };
}

function biggerModel(c: TrainConfig): DiagnosisAction | null {
  const m = c.model;
  let model: ModelConfig;
  switch (m.kind) {
    case 'mlp':
      model = { ...m, hidden: m.hidden.map((h) => ({ ...h, units: Math.min(8192, h.units * 2) })) };
      break;
    case 'cnn':
      model = { ...m, blocks: m.blocks.map((b) => ({ ...b, filters: Math.min(1024, b.filters * 2) })) };
      break;
    case 'resnet':
      model = m.width < 128 ? { ...m, width: Math.min(128, m.width * 2) } : { ...m, depth: m.depth === 8 ? 14 : 20 };
      break;
    case 'transfer':
      model = { ...m, trainableLayers: m.trainableLayers + 10 };
      break;
  }
  if (JSON.stringify(model) === JSON.stringify(m)) return null;
  return { id: 'bigger-model', patch: { model }, detail: { kind: m.kind } };
}

function scaleLr(c: TrainConfig, factor: number, id: 'higher-lr' | 'much-higher-lr' | 'lower-lr'): DiagnosisAction | null {
  const to = Math.min(10, roundSig(c.optimizer.lr * factor));
  if (to === c.optimizer.lr) return null;
  return { id, patch: { optimizer: { ...c.optimizer, lr: to } }, detail: { from: c.optimizer.lr, to } };
}

function lessRegularisation(c: TrainConfig): DiagnosisAction | null {
  const m = c.model;
  const half = (p: number) => roundSig(p / 2);
  let model: ModelConfig;
  switch (m.kind) {
    case 'mlp':
      model = { ...m, inputDropout: half(m.inputDropout), hidden: m.hidden.map((h) => ({ ...h, dropout: half(h.dropout) })) };
      break;
    case 'cnn':
      model = {
        ...m,
        headDropout: half(m.headDropout),
        blocks: m.blocks.map((b) => ({ ...b, dropout: half(b.dropout) })),
        dense: m.dense.map((d) => ({ ...d, dropout: half(d.dropout) })),
      };
      break;
    case 'resnet':
      model = { ...m, headDropout: half(m.headDropout) };
      break;
    case 'transfer':
      model = { ...m, headDropout: half(m.headDropout), dense: m.dense.map((d) => ({ ...d, dropout: half(d.dropout) })) };
      break;
  }
  const patch: ConfigPatch = {};
  if (JSON.stringify(model) !== JSON.stringify(m)) patch.model = model;
  if (c.weightDecay.kind !== 'none' && c.weightDecay.value > 0) patch.weightDecay = { ...c.weightDecay, value: roundSig(c.weightDecay.value / 10) };
  const i = PRESETS.indexOf(c.augmentation.preset);
  if (i > 0) patch.augmentation = { ...c.augmentation, preset: PRESETS[i - 1]! };
  if (Object.keys(patch).length === 0) return null;
  return { id: 'less-regularisation', patch, detail: { fields: Object.keys(patch).join(', ') } };
}

function trainLonger(c: TrainConfig): DiagnosisAction {
  const epochs = Math.min(10000, Math.max(c.epochs + 5, Math.round(c.epochs * 1.5)));
  return { id: 'train-longer', patch: { epochs }, detail: { from: c.epochs, to: epochs } };
}

function switchToAdam(c: TrainConfig): DiagnosisAction | null {
  if (c.optimizer.name === 'adam') return null;
  return { id: 'switch-to-adam', patch: { optimizer: { ...c.optimizer, name: 'adam', lr: 1e-3 } }, detail: { from: c.optimizer.name } };
}

function clipGradients(c: TrainConfig): DiagnosisAction | null {
  const to = c.clipNorm === null ? 1 : roundSig(c.clipNorm / 2);
  return { id: 'clip-gradients', patch: { clipNorm: to }, detail: { to } };
}

function warmup(c: TrainConfig): DiagnosisAction | null {
  if (c.schedule.warmupEpochs >= 2) return null;
  return { id: 'warmup', patch: { schedule: { ...c.schedule, warmupEpochs: 2 } }, detail: { epochs: 2 } };
}

/** "Learning-rate decay is always a good strategy" — cosine to 1 % over the run. */
function lrDecay(c: TrainConfig): DiagnosisAction | null {
  if (c.schedule.kind !== 'constant') return null;
  return { id: 'lr-decay', patch: { schedule: { ...c.schedule, kind: 'cosine', minFactor: 0.01 } }, detail: { kind: 'cosine' } };
}

function roundSig(x: number): number {
  return Number(x.toPrecision(3));
}
