/**
 * Automatic run names a person can tell apart: "sample · cnn · adam 0.001 · 10 epochs", plus what differs from the
 * previous run on the same dataset ("· batch 64"), and a number when the name is still taken.
 */
import { compareSettings, type Scalar } from '../../shared/analysis/compare';
import type { TrainConfig } from '../../shared/config';

/** Settings already in the base name, or that say nothing to a person. */
const IN_BASE = new Set(['datasetId', 'model.kind', 'optimizer.name', 'optimizer.lr', 'epochs', 'seed']);
/** At most this many differences are named; more would make a sentence, not a name. */
const MAX_DIFFS = 2;

/** `model.blocks[1].filters` → `filters`; `earlyStopping.patience` → `patience`; augmentation keeps its transform. */
function shortKey(key: string): string {
  const parts = key.replace(/\[\d+\]/g, '').split('.');
  if (parts[0] === 'augmentation' && parts.length > 2) return `${parts[1]} ${parts[parts.length - 1]}`;
  if (key === 'batchSize') return 'batch';
  return parts[parts.length - 1]!;
}

function shortValue(v: Scalar | undefined): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (v === undefined || v === null) return '–';
  return String(v);
}

export function autoRunName(config: TrainConfig, datasetName: string, previous: TrainConfig | null, taken: ReadonlySet<string>): string {
  const base = [datasetName, config.model.kind, `${config.optimizer.name} ${config.optimizer.lr}`, `${config.epochs} epochs`];
  if (previous) {
    const named = new Set<string>();
    for (const row of compareSettings([previous, config], { onlyDifferences: true })) {
      if (IN_BASE.has(row.key) || row.key.startsWith('tags') || row.key.startsWith('modelChoice')) continue;
      const k = shortKey(row.key);
      if (named.has(k)) continue;
      named.add(k);
      base.push(`${k} ${shortValue(row.values[1])}`);
      if (named.size >= MAX_DIFFS) break;
    }
  }
  const name = base.join(' · ');
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name} (${n})`)) return `${name} (${n})`;
}
