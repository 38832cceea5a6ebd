/**
 * From validated files to a dataset: apply the user's edits (exclusions, new labels), relate exact copies
 * (duplicate, label conflict, split leak), assign splits, count classes and write the warnings. Used by the import
 * and, without reading any file again, by edits.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ClassSummary, FileProblem, SplitName } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { asMessage, msg, said, withMsg, type LabMessage } from '../../shared/messages';
import type { Workspace } from '../workspace';
import { problemsOf, type ManifestItem } from './manifest';
import type { ScanIssue } from './scan';
import { assignSplits, type SplitRatios } from './split';

const FEW_IMAGES = 10;
const IMBALANCE_WARN = 5;

/** Per file path (stable across re-imports): what the user changed inside the lab. */
export type Edits = Record<string, { excluded?: true; className?: string }>;

const EDITS_FILE = 'edits.json';

export async function readEdits(ws: Workspace, id: string): Promise<Edits> {
  try {
    return JSON.parse(await readFile(path.join(ws.datasetDir(id), EDITS_FILE), 'utf8')) as Edits;
  } catch {
    return {};
  }
}

export async function writeEdits(ws: Workspace, id: string, edits: Edits): Promise<void> {
  const dir = ws.datasetDir(id);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, EDITS_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(edits));
  await rename(`${file}.tmp`, file);
}

export interface SettleContext {
  ratios: SplitRatios;
  edits: Edits;
  paths: string[];
  scanIssues: ScanIssue[];
  /** Messages (manifests written before messages existed hold English strings). */
  scanWarnings: (LabMessage | string)[];
  /** Each path's split in the last assignment with the same ratios and seed: images stay put unless counts require. */
  previousSplits?: ReadonlyMap<string, SplitName>;
}

export interface Settled {
  classes: ClassSummary[];
  usable: number;
  warnings: LabMessage[];
  problems: FileProblem[];
}

const KEEP_ORDER: Record<SplitName, number> = { train: 0, val: 1, test: 2 };

/** Exact copies: same class → duplicate; different classes → label conflict (all copies out); other given split → leak. */
function relate(items: ManifestItem[]): void {
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (it.status !== 'ok' || !it.hash) return;
    const g = groups.get(it.hash);
    if (g) g.push(i);
    else groups.set(it.hash, [i]);
  });
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const classes = new Set(g.map((i) => items[i]!.className));
    if (classes.size > 1) {
      for (const i of g) {
        const others = g.filter((j) => items[j]!.className !== items[i]!.className);
        const o = items[others[0]!]!;
        items[i]!.relation = {
          reason: 'label-conflict',
          other: others[0]!,
          ...said(msg('dataset.problem.labelConflict', { other: o.className, path: o.path })),
        };
      }
      continue;
    }
    // Keep the training copy, then the shortest name ("cat.png" over "cat copy.png"), then the first found.
    const nameLen = (i: number): number => path.basename(items[i]!.path).length;
    const sorted = [...g].sort((a, b) => KEEP_ORDER[items[a]!.fixedSplit ?? 'train'] - KEEP_ORDER[items[b]!.fixedSplit ?? 'train'] || nameLen(a) - nameLen(b) || a - b);
    const keep = sorted[0]!;
    const k = items[keep]!;
    for (const i of sorted.slice(1)) {
      const it = items[i]!;
      if (it.fixedSplit && k.fixedSplit && it.fixedSplit !== k.fixedSplit) {
        it.relation = {
          reason: 'split-leak',
          other: keep,
          ...said(msg('dataset.problem.splitLeak', { keptSplit: k.fixedSplit, path: k.path, split: it.fixedSplit })),
        };
      } else {
        it.relation = { reason: 'duplicate', other: keep, ...said(msg('dataset.problem.duplicate', { path: k.path })) };
      }
    }
  }
}

export function listPaths(paths: string[]): string {
  return paths.length === 1 ? paths[0]! : `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? '…' : ''}`;
}

function noImagesMessage(items: ManifestItem[], issues: number, paths: string[]): LabMessage {
  const counts = new Map<string, number>();
  for (const it of items) if (it.check) counts.set(it.check.reason, (counts.get(it.check.reason) ?? 0) + 1);
  const bad = [...counts].map(([r, n]) => msg('dataset.badCount', { count: n, reason: { code: `dataset.reason.${r}` } }));
  if (issues) bad.push(msg('dataset.badLinks', { count: issues }));
  const common = { paths: listPaths(paths), example: path.join(paths[0]!, 'cats', '1.jpg') };
  return bad.length ? msg('error.import.noImagesChecked', { ...common, checked: items.length, bad }) : msg('error.import.noImages', common);
}


/** Mutates items (class, status, relation, split) and returns the summary parts; refuses no images / one class. */
export function settle(items: ManifestItem[], ctx: SettleContext): Settled {
  const { ratios, paths } = ctx;
  for (const it of items) {
    const edit = ctx.edits[it.path];
    it.className = edit?.className ?? it.labelledAs;
    it.excludedByUser = !!edit?.excluded;
    it.relation = null;
    it.status = it.check ? 'bad' : it.excludedByUser ? 'excluded' : 'ok';
  }
  relate(items);
  for (const it of items) if (it.relation) it.status = 'duplicate';
  const splits = assignSplits(
    items.map((it) => ({ key: it.hash ?? it.path, className: it.className, fixed: it.fixedSplit, usable: it.status === 'ok', previous: ctx.previousSplits?.get(it.path) ?? null })),
    ratios,
  );
  items.forEach((it, i) => (it.split = splits[i]!));

  const counts = new Map<string, Record<SplitName, number>>();
  const seen = new Map<string, number>();
  for (const it of items) {
    seen.set(it.className, (seen.get(it.className) ?? 0) + 1);
    if (it.status !== 'ok') continue;
    const c = counts.get(it.className) ?? { train: 0, val: 0, test: 0 };
    c[it.split]++;
    counts.set(it.className, c);
  }
  const usable = items.filter((it) => it.status === 'ok').length;
  if (usable === 0) {
    throw new LabError(
      'NO_IMAGES',
      noImagesMessage(items, ctx.scanIssues.length, paths),
      { paths },
    );
  }
  const classNames = [...counts.keys()].sort();
  if (classNames.length < 2) {
    throw new LabError(
      'TOO_FEW_CLASSES',
      msg('error.import.oneClass', { name: classNames[0] ?? '', paths: listPaths(paths) }),
      { paths, classes: classNames },
    );
  }
  const warnings = ctx.scanWarnings.map(asMessage);
  for (const [name, total] of [...seen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!counts.has(name)) warnings.push(msg('dataset.warning.classUnusable', { name, total }));
  }
  const classes: ClassSummary[] = classNames.map((name) => ({ name, counts: counts.get(name)! }));
  for (const c of classes) {
    const n = c.counts.train + c.counts.val + c.counts.test;
    if (n < 2) warnings.push(msg('dataset.warning.classSingle', { name: c.name, count: n }));
    else if (n < FEW_IMAGES) warnings.push(msg('dataset.warning.classFew', { name: c.name, count: n, min: FEW_IMAGES }));
  }
  const totals = classes.map((c) => c.counts.train + c.counts.val + c.counts.test);
  const max = Math.max(...totals);
  const min = Math.min(...totals);
  if (min > 0 && max / min >= IMBALANCE_WARN) {
    const big = classes[totals.indexOf(max)]!.name;
    const small = classes[totals.indexOf(min)]!.name;
    warnings.push(msg('dataset.warning.imbalanced', { big, max, ratio: Math.round(max / min), small, min }));
  }

  const problems: FileProblem[] = [...ctx.scanIssues.map((s) => ({ path: s.path, reason: s.reason, message: s.message, ...withMsg(s.msg), excluded: true })), ...problemsOf(items)];
  return { classes, usable, warnings, problems };
}
