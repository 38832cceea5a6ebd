/**
 * Import: scan → validate every file (content, not name) → relate files (duplicates, label conflicts, split leaks)
 * → split → optional decoded cache → manifest. Problems are collected per file and the import goes on; only a
 * dataset with no images or a single class is refused. Nothing is written outside the workspace.
 */
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { InputConfig } from '../../shared/config';
import type { DatasetSummary, ImportRequest } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { english, msg } from '../../shared/messages';
import type { Workspace } from '../workspace';
import { datasetIdFor, fingerprintOf, tryReadManifest, writeManifest, type Manifest, type ManifestItem } from './manifest';
import { CacheWriter, ensureCache } from './pixel-cache';
import { runPool, throwIfCancelled } from './pool';
import { makeProgress, type ProgressFn } from './progress';
import { scanPaths, type ScanEntry } from './scan';
import { listPaths, readEdits, settle } from './settle';
import { DEFAULT_SPLIT, type SplitRatios } from './split';
import { checkFile, type CheckedFile, type FileCheck } from './validate';
import { ValidatorPool, workersAreCheap } from './validate-pool';
import { computeStats } from './stats';

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Also build the decoded cache for this input while validating (each file is then decoded exactly once). */
  input?: InputConfig;
  /** Files validated at once in-process (default: 4 × cores, at most 32). */
  concurrency?: number;
  /**
   * Worker threads for validation (0 or 1: in-process). Default: in-process from TypeScript sources; one per core (up to 8)
   * for 2,000+ files in a compiled build that ships validate-worker.js (falls back to in-process if it does not).
   */
  workers?: number;
}


/** Datasets with an import running (a second import of the same folders would race on its files). */
const importing = new Set<string>();

/** Below this many files to read, starting worker threads costs more than it saves. */
const WORKERS_FROM_FILES = 2000;
const BATCH = 256;

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

function makeItem(e: ScanEntry, c: FileCheck): ManifestItem {
  return {
    path: e.path,
    root: e.root,
    className: e.className,
    labelledAs: e.className,
    excludedByUser: false,
    split: 'train',
    fixedSplit: e.split,
    size: e.size,
    mtimeMs: e.mtimeMs,
    ...(e.dev !== undefined && e.ino !== undefined ? { dev: e.dev, ino: e.ino } : {}),
    hash: c.hash,
    format: c.format,
    width: c.width,
    height: c.height,
    channels: c.channels,
    status: c.problem ? 'bad' : 'ok',
    check: c.problem,
    wrongExtension: c.wrongExtension,
    ...(c.wrongExtensionMsg ? { wrongExtensionMsg: c.wrongExtensionMsg } : {}),
    relation: null,
  };
}

function sameFile(old: ManifestItem | undefined, e: ScanEntry): old is ManifestItem {
  // Within a millisecond: copying tools and utimes() keep mtimes at ms (or µs) precision, not the ns the disk had.
  return !!old && old.size === e.size && Math.abs(old.mtimeMs - e.mtimeMs) < 1 && old.check?.reason !== 'unreadable';
}

export async function importDataset(ws: Workspace, req: ImportRequest, opts: ImportOptions = {}): Promise<DatasetSummary> {
  if (!req.paths.length) throw new LabError('BAD_ARGUMENT', msg('error.import.noPaths'));
  const paths = [...new Set(req.paths.map((p) => path.resolve(p)))];
  const id = datasetIdFor(paths);
  const old = await tryReadManifest(ws, id);
  const ratios: SplitRatios = req.split ?? old?.split ?? DEFAULT_SPLIT;
  if (ratios.val + ratios.test >= 1) throw new LabError('BAD_ARGUMENT', msg('error.import.splitTooBig', { val: ratios.val, test: ratios.test }));
  const { signal, onProgress } = opts;
  if (importing.has(id)) throw new LabError('BUSY', msg('error.import.busy', { paths: listPaths(paths) }), { datasetId: id });
  importing.add(id);
  acquireSharp();
  let writer: CacheWriter | undefined;
  let validators: ValidatorPool | null = null;
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
    const place = (i: number, c: FileCheck): void => {
      items[i] = makeItem(entries[i]!, c);
    };
    const toRead: number[] = [];
    entries.forEach((e, i) => {
      const prev = oldByPath.get(e.path);
      if (sameFile(prev, e)) {
        place(i, { hash: prev.hash, format: prev.format as FileCheck['format'], width: prev.width, height: prev.height, channels: prev.channels, problem: prev.check, wrongExtension: prev.wrongExtension, ...(prev.wrongExtensionMsg ? { wrongExtensionMsg: prev.wrongExtensionMsg } : {}) });
        progress.tick();
      } else toRead.push(i);
    });
    const accept = (i: number, checked: CheckedFile): void => {
      if (writer && checked.pixels && !checked.problem) writer.write(i, checked.pixels);
      place(i, checked);
      progress.tick();
    };
    // Default: in-process, which measured faster than the PIL loop; worker threads where they start cheaply (a build
    // that ships validate-worker.js) and the import is big enough to repay starting them.
    const wantWorkers = opts.workers === undefined ? workersAreCheap && toRead.length >= WORKERS_FROM_FILES : opts.workers > 1;
    if (wantWorkers) validators = await ValidatorPool.start(opts.workers);
    if (validators) {
      // Batches to the worker threads; two in flight per worker keeps them busy while the main thread writes.
      const pool = validators;
      const batches = Math.ceil(toRead.length / BATCH);
      await runPool(batches, pool.size * 2, async (b) => {
        const idx = toRead.slice(b * BATCH, (b + 1) * BATCH);
        const results = await pool.check(idx.map((i) => ({ path: entries[i]!.path, size: entries[i]!.size })), opts.input);
        throwIfCancelled(signal);
        results.forEach((r, k) => accept(idx[k]!, r));
      }, signal);
    } else {
      const concurrency = opts.concurrency ?? Math.max(4, Math.min(32, os.availableParallelism() * 4));
      await runPool(toRead.length, concurrency, async (k) => {
        const i = toRead[k]!;
        accept(i, await checkFile(entries[i]!.path, entries[i]!.size, opts.input));
      }, signal);
    }
    progress.finish();
    throwIfCancelled(signal);

    // 3. User edits, relations, splits, classes
    const edits = await readEdits(ws, id);
    // Same ratios and seed: images keep their splits unless the new per-class counts require a move (see split.ts).
    const sameRatios = !!old && old.split.val === ratios.val && old.split.test === ratios.test && old.split.seed === ratios.seed;
    const previousSplits = sameRatios ? new Map(old.items.map((it) => [it.path, it.split])) : undefined;
    const settled = settle(items, { ratios, edits, paths, scanIssues: scan.issues, scanWarnings: scan.warnings, ...(previousSplits ? { previousSplits } : {}) });
    const now = new Date().toISOString();
    const summary: DatasetSummary = {
      id,
      name: req.name ?? old?.summary.name ?? (paths.length === 1 ? path.basename(paths[0]!) : `${path.basename(paths[0]!)} + ${paths.length - 1} more`),
      paths,
      layout: scan.layout,
      classes: settled.classes,
      images: settled.usable,
      problems: settled.problems,
      warnings: settled.warnings.map(english),
      warningMsgs: settled.warnings,
      createdAt: old?.summary.createdAt ?? now,
      updatedAt: now,
    };
    const manifest: Manifest = {
      version: 1,
      summary,
      roots: scan.roots,
      split: ratios,
      fingerprint: fingerprintOf(items),
      scanIssues: scan.issues,
      scanWarnings: scan.warnings,
      items,
    };
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
    await validators?.close();
    releaseSharp();
    importing.delete(id);
  }
}
