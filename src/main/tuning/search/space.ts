/**
 * A search space → concrete settings (grid: every combination; random: seeded draws), and a setting → TrainConfig.
 * Each hyperparameter maps onto the config the way a person would change it by hand.
 */
import type { ModelConfig, TrainConfig } from '../../../shared/config';
import { AugmentConfigSchema } from '../../../shared/augment-config';
import { LabError } from '../../../shared/errors';
import { msg } from '../../../shared/messages';
import type { SearchParam, SearchRequest, SearchSetting, SearchSpace } from '../../../shared/tuning';
import { mulberry32 } from '../../training/seeded-random';

type Axis = NonNullable<SearchSpace[SearchParam]>;
type Value = number | string | boolean;

function isRange(axis: Axis): axis is { min: number; max: number; log: boolean } {
  return !Array.isArray(axis);
}

function checkRange(name: string, r: { min: number; max: number; log: boolean }): void {
  if (!(r.max >= r.min)) throw new LabError('BAD_ARGUMENT', msg('tuning.space.maxBelowMin', { name, max: r.max, min: r.min }));
  if (r.log && r.min <= 0) throw new LabError('BAD_ARGUMENT', msg('tuning.space.logMin', { name, min: r.min }));
}

/** Grid values of a range: min, middle, max (geometric middle on a log range). */
function gridValues(name: string, axis: Axis): Value[] {
  if (!isRange(axis)) return axis as Value[];
  checkRange(name, axis);
  const mid = axis.log ? Math.sqrt(axis.min * axis.max) : (axis.min + axis.max) / 2;
  return [...new Set([axis.min, mid, axis.max])];
}

function draw(name: string, axis: Axis, rand: () => number): Value {
  if (!isRange(axis)) {
    const list = axis as Value[];
    return list[Math.floor(rand() * list.length)]!;
  }
  checkRange(name, axis);
  const u = rand();
  return axis.log ? Math.exp(Math.log(axis.min) + u * (Math.log(axis.max) - Math.log(axis.min))) : axis.min + u * (axis.max - axis.min);
}

function axes(space: SearchSpace): [SearchParam, Axis][] {
  return (Object.entries(space) as [SearchParam, Axis | undefined][]).filter((e): e is [SearchParam, Axis] => e[1] !== undefined);
}

export function gridSize(space: SearchSpace): number {
  return axes(space).reduce((n, [name, axis]) => n * gridValues(name, axis).length, 1);
}

/** The settings the search will try, in order, at most `limit` of them. */
export function planSettings(req: Pick<SearchRequest, 'mode' | 'space' | 'seed'>, limit: number): SearchSetting[] {
  const list = axes(req.space);
  if (req.mode === 'grid') {
    let out: SearchSetting[] = [{}];
    for (const [name, axis] of list) {
      const values = gridValues(name, axis);
      out = out.flatMap((s) => values.map((v) => ({ ...s, [name]: v })));
      if (out.length > 100_000) throw new LabError('BAD_ARGUMENT', msg('tuning.space.gridTooBig'));
    }
    return out.slice(0, limit);
  }
  const rand = mulberry32(req.seed);
  return Array.from({ length: limit }, () => Object.fromEntries(list.map(([name, axis]) => [name, draw(name, axis, rand)])) as SearchSetting);
}

const scale = (n: number, w: number): number => Math.max(1, Math.round(n * w));
function resize<T>(list: T[], n: number): T[] {
  if (list.length === 0) return list;
  return Array.from({ length: n }, (_, i) => list[Math.min(i, list.length - 1)]!);
}

function applyModel(model: ModelConfig, s: SearchSetting): ModelConfig {
  const m = structuredClone(model);
  const p = typeof s.dropout === 'number' ? s.dropout : null;
  const bn = typeof s.batchNorm === 'boolean' ? s.batchNorm : null;
  const w = typeof s.width === 'number' ? s.width : null;
  const d = typeof s.depth === 'number' ? s.depth : null;
  switch (m.kind) {
    case 'mlp':
      if (d !== null) m.hidden = resize(m.hidden, d);
      m.hidden = m.hidden.map((h) => ({ ...h, ...(p !== null ? { dropout: p } : {}), ...(bn !== null ? { batchNorm: bn } : {}), ...(w !== null ? { units: scale(h.units, w) } : {}) }));
      break;
    case 'cnn':
      if (d !== null) m.blocks = resize(m.blocks, d);
      m.blocks = m.blocks.map((b) => ({ ...b, ...(bn !== null ? { batchNorm: bn } : {}), ...(w !== null ? { filters: scale(b.filters, w) } : {}) }));
      m.dense = m.dense.map((h) => ({ ...h, ...(p !== null ? { dropout: p } : {}), ...(bn !== null ? { batchNorm: bn } : {}), ...(w !== null ? { units: scale(h.units, w) } : {}) }));
      if (p !== null) m.headDropout = p;
      break;
    case 'resnet':
      if (w !== null) m.width = Math.min(128, Math.max(4, Math.round(m.width * w)));
      if (d !== null) m.depth = ([8, 14, 20] as const).reduce((best, x) => (Math.abs(x - d) < Math.abs(best - d) ? x : best), 8 as 8 | 14 | 20);
      if (p !== null) m.headDropout = p;
      break;
    case 'transfer':
      if (p !== null) m.headDropout = p;
      m.dense = m.dense.map((h) => ({ ...h, ...(p !== null ? { dropout: p } : {}), ...(w !== null ? { units: scale(h.units, w) } : {}) }));
      break;
  }
  return m;
}

export function applySetting(config: TrainConfig, s: SearchSetting): TrainConfig {
  const next: TrainConfig = { ...config, model: applyModel(config.model, s) };
  if (typeof s.lr === 'number') next.optimizer = { ...next.optimizer, lr: Math.min(10, s.lr) };
  if (typeof s.optimizer === 'string') next.optimizer = { ...next.optimizer, name: s.optimizer as TrainConfig['optimizer']['name'] };
  if (typeof s.weightDecay === 'number') next.weightDecay = { kind: s.weightDecay > 0 ? 'l2' : 'none', value: s.weightDecay };
  if (typeof s.batchSize === 'number') next.batchSize = s.batchSize;
  if (typeof s.augmentation === 'string') next.augmentation = AugmentConfigSchema.parse({ preset: s.augmentation });
  return next;
}

/** "lr 0.003 · wd 1e-4 · adam" for run names. */
export function describeSetting(s: SearchSetting): string {
  return Object.entries(s)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`)
    .join(' · ');
}
