import type { TrainConfig } from '../config';
import type { RunDetail, RunSummary } from '../dto';
import { runBestNumbers } from './best-epoch';

/** Comparing runs: their settings side by side with the differences marked, and the numbers that rank them. */
export type Scalar = string | number | boolean | null;

/** `{ optimizer: { lr: 0.001 }, model: { blocks: [{ filters: 16 }] } }` → `{ 'optimizer.lr': 0.001, 'model.blocks[0].filters': 16 }` */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, Scalar> = {}): Record<string, Scalar> {
  if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = '[]';
    value.forEach((v, i) => flattenConfig(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = '{}';
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value === undefined) {
    // absent fields compare as absent, not as a value
  } else {
    out[prefix] = value as Scalar;
  }
  return out;
}

export interface SettingsRow {
  key: string;
  /** One value per compared config; undefined where that config lacks the key (e.g. another model kind). */
  values: (Scalar | undefined)[];
  differs: boolean;
}

/** Keys that name a run rather than change what it does. */
const IGNORED = new Set(['name']);

export function compareSettings(configs: readonly TrainConfig[], opts: { onlyDifferences?: boolean } = {}): SettingsRow[] {
  const flat = configs.map((c) => flattenConfig(c));
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) {
    for (const k of Object.keys(f)) {
      if (!seen.has(k) && !IGNORED.has(k) && !k.startsWith('tags')) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  const rows = keys.map((key) => {
    const values = flat.map((f) => (key in f ? f[key] : undefined));
    const differs = values.some((v) => !Object.is(v, values[0]));
    return { key, values, differs };
  });
  return opts.onlyDifferences ? rows.filter((r) => r.differs) : rows;
}

/** Sets one flattened key (as produced by flattenConfig) in a copy of the config: "the same with one change". */
export function withSetting(config: TrainConfig, key: string, value: Scalar): TrainConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const path = key.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  let node: Record<string, unknown> | unknown[] = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const p = path[i]!;
    const next: unknown = Array.isArray(node) ? node[Number(p)] : node[p];
    if (next === null || typeof next !== 'object') {
      throw new Error(`withSetting: "${key}" does not exist in this config (stops at "${p}")`);
    }
    node = next as Record<string, unknown> | unknown[];
  }
  const leaf = path[path.length - 1]!;
  if (Array.isArray(node)) node[Number(leaf)] = value;
  else node[leaf] = value;
  return copy as unknown as TrainConfig;
}

export interface RunNumbers {
  id: string;
  name: string;
  bestEpoch: number | null;
  bestValAccuracy: number | null;
  bestValLoss: number | null;
  finalTrainAccuracy: number | null;
  testAccuracy: number | null;
  epochsDone: number;
  /** Sum of epoch durations, seconds. */
  trainingTimeS: number;
  meanImagesPerS: number | null;
}

export function runNumbers(run: RunDetail): RunNumbers {
  const logs = run.epochLogs;
  // The monitor's best epoch and its numbers (best-epoch.ts), the same as the Runs list and the CLI show.
  const { bestEpoch, bestValAccuracy, bestValLoss } = runBestNumbers(run);
  const speeds = logs.map((e) => e.imagesPerS).filter((v) => Number.isFinite(v) && v > 0);
  return {
    id: run.id,
    name: run.name,
    bestEpoch,
    bestValAccuracy,
    bestValLoss,
    finalTrainAccuracy: logs.at(-1)?.accuracy ?? null,
    testAccuracy: run.testAccuracy ?? run.evaluation?.accuracy ?? null,
    epochsDone: Math.max(run.epochsDone, logs.length),
    trainingTimeS: logs.reduce((s, e) => s + (Number.isFinite(e.durationS) ? e.durationS : 0), 0),
    meanImagesPerS: speeds.length ? speeds.reduce((a, b) => a + b, 0) / speeds.length : null,
  };
}

/** A short label for a run in legends: its name, else the settings that set it apart from the others. */
export function runLabels(runs: readonly Pick<RunSummary, 'id' | 'name'>[], configs: readonly TrainConfig[]): string[] {
  const diffs = compareSettings(configs, { onlyDifferences: true }).filter((r) => r.key !== 'datasetId' && r.key !== 'seed');
  const count = new Map<string, number>();
  for (const r of runs) if (r.name) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  const labels = runs.map((r, i) => {
    const parts = diffs.slice(0, 2).map((d) => `${d.key.split('.').pop()}=${String(d.values[i])}`);
    if (!r.name) return parts.length ? parts.join(' ') : r.id;
    // Two runs with one name would merge into one legend entry: name what differs (or which run it is).
    if ((count.get(r.name) ?? 0) > 1) return `${r.name} · ${parts.length ? parts.join(' ') : r.id}`;
    return r.name;
  });
  // Still equal (same name and same settings): the run id tells them apart.
  return labels.map((l, i) => (labels.indexOf(l) !== i || labels.lastIndexOf(l) !== i ? `${l} · ${runs[i]!.id}` : l));
}
