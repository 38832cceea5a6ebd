/**
 * Import: scan → validate every file (content, not name) → relate files (duplicates, label conflicts, split leaks)
 * → split → optional decoded cache → manifest. Problems are collected per file and the import goes on; only a
 * dataset with no images or a single class is refused. Nothing is written outside the workspace.
 */
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { InputConfig } from '../../shared/config';
import type { ClassSummary, DatasetSummary, ImportRequest, SplitName } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import type { Workspace } from '../workspace';
import { datasetIdFor, fingerprintOf, problemsOf, tryReadManifest, writeManifest, type Manifest, type ManifestItem } from './manifest';
import { CacheWriter, ensureCache } from './pixel-cache';
import { runPool, throwIfCancelled } from './pool';
import { makeProgress, type ProgressFn } from './progress';
import { readImageFile } from './read-file';
import { scanPaths, type ScanEntry } from './scan';
import { assignSplits, DEFAULT_SPLIT, type SplitRatios } from './split';
import { checkImage, type FileCheck } from './validate';
import { computeStats } from './stats';

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Also build the decoded cache for this input while validating (each file is then decoded exactly once). */
  input?: InputConfig;
  /** Files validated at once (default: 4 × cores, at most 32). */
  concurrency?: number;
}

/** Bigger files are not read into memory at all. */
export const MAX_FILE_BYTES = 256 * 2 ** 20;
const FEW_IMAGES = 10;
const IMBALANCE_WARN = 5;

// Many small images in parallel beat libvips threads inside one small image; restore the setting afterwards.
let sharpUsers = 0;
let sharpBefore = 0;
function acquireSharp(): void {
  if (sharpUsers++ === 0) {
    sharpBefore = sharp.concurrency();
    sharp.concurrency(1);
  }
}
function releaseSharp(): void {
  if (--sharpUsers === 0) sharp.concurrency(sharpBefore);
}

function readError(err: unknown): { reason: 'unreadable' | 'symlink-loop'; message: string } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return { reason: 'symlink-loop', message: 'This symbolic link points back to itself: skipped. Remove the link.' };
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'unreadable', message: 'Permission denied: the lab may not read this file. Make it readable (e.g. chmod a+r) and import again.' };
  if (code === 'ENOENT') return { reason: 'unreadable', message: 'The file disappeared during the import. Import again.' };
  return { reason: 'unreadable', message: `The file cannot be read (${code ?? (err as Error).message}). Check the disk and the file's permissions.` };
}

async function checkEntry(e: ScanEntry, input: InputConfig | undefined): Promise<FileCheck & { pixels: Uint8Array | null }> {
  const none = { hash: null, format: null, width: null, height: null, channels: null, wrongExtension: null, pixels: null };
  if (e.size > MAX_FILE_BYTES) {
    return { ...none, problem: { reason: 'too-large', message: `The file is ${Math.round(e.size / 2 ** 20)} MiB, above the ${MAX_FILE_BYTES / 2 ** 20} MiB limit per image. Resize or recompress it.` } };
  }
  let buf: Buffer;
  try {
    buf = await readImageFile(e.path, e.size);
  } catch (err) {
    return { ...none, problem: readError(err) };
  }
  return checkImage(buf, e.path, input);
}

function sameFile(old: ManifestItem | undefined, e: ScanEntry): old is ManifestItem {
  // Within a millisecond: copying tools and utimes() keep mtimes at ms (or µs) precision, not the ns the disk had.
  return !!old && old.size === e.size && Math.abs(old.mtimeMs - e.mtimeMs) < 1 && old.check?.reason !== 'unreadable';
}

const KEEP_ORDER: Record<SplitName, number> = { train: 0, val: 1, test: 2 };

/** Exact copies: same class → duplicate; different classes → label conflict (all copies out); other given split → leak. */
function relate(items: ManifestItem[]): void {
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (it.check || !it.hash) return;
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
          message: `The same image is also labelled "${o.className}" (${o.path}). Its label is ambiguous, so every copy was left out: keep it in one class only.`,
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
          message: `This image is also in ${k.fixedSplit} (${k.path}): it would leak from ${k.fixedSplit} into ${it.fixedSplit} and inflate the score. It was left out of ${it.fixedSplit}; delete one copy.`,
        };
      } else {
        it.relation = { reason: 'duplicate', other: keep, message: `An exact copy of ${k.path} in the same class: left out so it does not count twice. Delete one copy.` };
      }
    }
  }
}

function listPaths(paths: string[]): string {
  return paths.length === 1 ? paths[0]! : `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? '…' : ''}`;
}

function describeBad(items: ManifestItem[], issues: number): string {
  const counts = new Map<string, number>();
  for (const it of items) if (it.check) counts.set(it.check.reason, (counts.get(it.check.reason) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`);
  if (issues) parts.push(`${issues} unreadable or looping links`);
  return parts.length ? ` (${items.length} files checked: ${parts.join(', ')})` : '';
}

export async function importDataset(ws: Workspace, req: ImportRequest, opts: ImportOptions = {}): Promise<DatasetSummary> {
  if (!req.paths.length) throw new LabError('BAD_ARGUMENT', 'Give at least one folder to import.');
  const paths = [...new Set(req.paths.map((p) => path.resolve(p)))];
  const id = datasetIdFor(paths);
  const old = await tryReadManifest(ws, id);
  const ratios: SplitRatios = req.split ?? old?.split ?? DEFAULT_SPLIT;
  if (ratios.val + ratios.test >= 1) throw new LabError('BAD_ARGUMENT', `split: val (${ratios.val}) + test (${ratios.test}) must be below 1 so that something is left to train on.`);
  const { signal, onProgress } = opts;
  acquireSharp();
  let writer: CacheWriter | undefined;
  try {
    // 1. Scan
    const scanProgress = makeProgress('scan', 0, onProgress);
    let lastFound = 0;
    const scan = await scanPaths(paths, {
      signal,
      onFile: (found) => {
        scanProgress.tick(Math.max(0, found - lastFound));
        lastFound = Math.max(lastFound, found);
      },
    });
    scanProgress.finish();
    throwIfCancelled(signal);
    const entries = scan.entries;

    // 2. Validate (only files whose size or mtime changed since the last import are read)
    const oldByPath = new Map((old?.items ?? []).map((it) => [it.path, it]));
    if (opts.input) writer = await CacheWriter.create(ws, id, opts.input, entries.length);
    const items: ManifestItem[] = new Array(entries.length);
    const progress = makeProgress('validate', entries.length, onProgress);
    const concurrency = opts.concurrency ?? Math.max(4, Math.min(32, os.availableParallelism() * 4));
    await runPool(entries.length, concurrency, async (i) => {
      const e = entries[i]!;
      const prev = oldByPath.get(e.path);
      let c: FileCheck;
      if (sameFile(prev, e)) {
        c = { hash: prev.hash, format: prev.format as FileCheck['format'], width: prev.width, height: prev.height, channels: prev.channels, problem: prev.check, wrongExtension: prev.wrongExtension };
      } else {
        const checked = await checkEntry(e, opts.input);
        if (writer && checked.pixels && !checked.problem) writer.write(i, checked.pixels);
        c = checked;
      }
      items[i] = {
        path: e.path,
        root: e.root,
        className: e.className,
        split: 'train',
        fixedSplit: e.split,
        size: e.size,
        mtimeMs: e.mtimeMs,
        hash: c.hash,
        format: c.format,
        width: c.width,
        height: c.height,
        channels: c.channels,
        status: c.problem ? 'bad' : 'ok',
        check: c.problem,
        wrongExtension: c.wrongExtension,
        relation: null,
      };
      progress.tick();
    }, signal);
    progress.finish();
    throwIfCancelled(signal);

    // 3. Relations, splits, classes
    relate(items);
    for (const it of items) if (it.relation) it.status = 'duplicate';
    const splits = assignSplits(
      items.map((it) => ({ key: it.hash ?? it.path, className: it.className, fixed: it.fixedSplit, usable: it.status === 'ok' })),
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
        `No usable images found in ${listPaths(paths)}${describeBad(items, scan.issues.length)}. Put the images in one subfolder per class (e.g. ${path.join(paths[0]!, 'cats', '1.jpg')}), a train/ and test/ folder with class subfolders, or list them in a CSV of path,label.`,
        { paths },
      );
    }
    const classNames = [...counts.keys()].sort();
    if (classNames.length < 2) {
      throw new LabError(
        'TOO_FEW_CLASSES',
        `Only one class ("${classNames[0]}") was found in ${listPaths(paths)}: a classifier needs at least two. Add a second subfolder with images of another class (class = subfolder name).`,
        { paths, classes: classNames },
      );
    }
    const warnings = [...scan.warnings];
    for (const [name, total] of [...seen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!counts.has(name)) warnings.push(`Class "${name}" has no usable image (all ${total} of its files have problems), so it is left out.`);
    }
    const classes: ClassSummary[] = classNames.map((name) => ({ name, counts: counts.get(name)! }));
    for (const c of classes) {
      const n = c.counts.train + c.counts.val + c.counts.test;
      if (n < 2) warnings.push(`Class "${c.name}" has only ${n} usable image: it cannot be split into training and validation/test. Add more images (10 or more).`);
      else if (n < FEW_IMAGES) warnings.push(`Class "${c.name}" has only ${n} usable images: add more (at least ${FEW_IMAGES}, ideally hundreds) for a model that generalises.`);
    }
    const totals = classes.map((c) => c.counts.train + c.counts.val + c.counts.test);
    const max = Math.max(...totals);
    const min = Math.min(...totals);
    if (min > 0 && max / min >= IMBALANCE_WARN) {
      const big = classes[totals.indexOf(max)]!.name;
      const small = classes[totals.indexOf(min)]!.name;
      warnings.push(`The classes are imbalanced: "${big}" has ${max} images, ${Math.round(max / min)}× as many as "${small}" (${min}). Collect more of the small classes, or use class weights / oversampling.`);
    }

    const now = new Date().toISOString();
    const problems = [
      ...scan.issues.map((s) => ({ path: s.path, reason: s.reason, message: s.message, excluded: true })),
      ...problemsOf(items),
    ];
    const summary: DatasetSummary = {
      id,
      name: req.name ?? old?.summary.name ?? (paths.length === 1 ? path.basename(paths[0]!) : `${path.basename(paths[0]!)} + ${paths.length - 1} more`),
      paths,
      layout: scan.layout,
      classes,
      images: usable,
      problems,
      warnings,
      createdAt: old?.summary.createdAt ?? now,
      updatedAt: now,
    };
    const manifest: Manifest = { version: 1, summary, roots: scan.roots, split: ratios, fingerprint: fingerprintOf(items), items };
    summary.stats = computeStats(manifest);

    // 4. Decoded cache (rows decoded above, the rest copied or decoded), then the manifest: cancelling leaves the old one.
    if (writer && opts.input) {
      const w = writer;
      writer = undefined;
      await ensureCache(ws, manifest, opts.input, { writer: w, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
    }
    throwIfCancelled(signal);
    await writeManifest(ws, manifest);
    return summary;
  } catch (err) {
    await writer?.discard();
    throw err;
  } finally {
    releaseSharp();
  }
}
