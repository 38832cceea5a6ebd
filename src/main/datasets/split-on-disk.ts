/**
 * A split that stays in the decoded cache on disk (datasets bigger than memory): labels and row numbers are in
 * memory (a few bytes per image), pixels are read on demand, a batch at a time, with positional reads.
 * `loadSplit` (pixel-cache.ts) is the in-memory counterpart; both list the same images in the same order.
 */
import { open } from 'node:fs/promises';
import os from 'node:os';
import type { InputConfig } from '../../shared/config';
import type { SplitName } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { ImageArray } from './image-array';
import type { Workspace } from '../workspace';
import { readManifest } from './manifest';
import { classOrder, ensureCache } from './pixel-cache';
import { throwIfCancelled } from './pool';
import type { ProgressFn } from './progress';

/** A split as it lies in the decoded cache: an ImageArray without its pixels (index = cache row order). */
export interface SplitOnDisk extends Omit<ImageArray, 'x'> {
  /** The decoded cache file (row r = manifest item r). */
  file: string;
  /** Cache row of each image of the split. */
  rows: Int32Array;
  rowBytes: number;
}

/** The split's labels and cache rows (building the decoded cache first if needed); no pixels are read. */
export async function openSplit(ws: Workspace, datasetId: string, input: InputConfig, split: SplitName, opts: { signal?: AbortSignal; onProgress?: ProgressFn } = {}): Promise<SplitOnDisk> {
  const manifest = await readManifest(ws, datasetId);
  const file = await ensureCache(ws, manifest, input, opts);
  const classes = classOrder(manifest);
  const label = new Map(classes.map((c, i) => [c, i]));
  const rows: number[] = [];
  const y: number[] = [];
  manifest.items.forEach((it, i) => {
    const l = label.get(it.className);
    if (it.status === 'ok' && it.split === split && l !== undefined) {
      rows.push(i);
      y.push(l);
    }
  });
  return {
    file,
    rows: Int32Array.from(rows),
    y: Int32Array.from(y),
    index: Int32Array.from(rows),
    n: rows.length,
    size: input.size,
    channels: input.channels,
    classes,
    rowBytes: input.size * input.size * input.channels,
  };
}

/**
 * Pixels of the given images (indexes into the split), in that order, as one uint8 array of picks.length rows.
 * Rows that are next to each other in the file are read together; one open file per call.
 */
export async function readSplitRows(split: SplitOnDisk, picks: ArrayLike<number>): Promise<Uint8Array> {
  const { rowBytes } = split;
  const out = new Uint8Array(picks.length * rowBytes);
  // Read in file order, runs of consecutive cache rows at once.
  const order = Array.from({ length: picks.length }, (_, i) => i).sort((a, b) => split.rows[picks[a]!]! - split.rows[picks[b]!]!);
  const fh = await open(split.file, 'r');
  try {
    // Every run's read is issued at once: the thread pool reads them side by side, and they go on while the
    // event loop is busy (normalising the previous batch) instead of each waiting for it to ask for the next one.
    const reads: Promise<void>[] = [];
    let k = 0;
    while (k < order.length) {
      let end = k + 1;
      const first = split.rows[picks[order[k]!]!]!;
      while (end < order.length && split.rows[picks[order[end]!]!]! === first + (end - k)) end++;
      const at = k;
      const count = end - k;
      // Rows that also follow each other in the output (a chunk of the split in order) are read straight into it.
      let direct = true;
      for (let j = 1; j < count && direct; j++) direct = order[at + j] === order[at]! + j;
      const buf = direct ? out.subarray(order[at]! * rowBytes, (order[at]! + count) * rowBytes) : new Uint8Array(count * rowBytes);
      reads.push(
        fh.read(buf, 0, buf.length, first * rowBytes).then(({ bytesRead }) => {
          if (bytesRead < buf.length) throw new LabError('INTERNAL', msg('error.cache.short', { file: split.file }));
          if (!direct) for (let j = 0; j < count; j++) out.set(buf.subarray(j * rowBytes, (j + 1) * rowBytes), order[at + j]! * rowBytes);
        }),
      );
      k = end;
    }
    await Promise.all(reads);
  } finally {
    await fh.close();
  }
  return out;
}

/** A split whose pixels are in memory (ImageArray) or stay in the decoded cache on disk (SplitOnDisk). */
export type SplitPixels = ImageArray | SplitOnDisk;

export function isOnDisk(split: SplitPixels): split is SplitOnDisk {
  return 'file' in split;
}

/** Pixels of the given images of either kind of split, in that order (one uint8 array of picks.length rows). */
export async function readPixels(split: SplitPixels, picks: ArrayLike<number>): Promise<Uint8Array> {
  if (isOnDisk(split)) return readSplitRows(split, picks);
  const rowBytes = split.size * split.size * split.channels;
  const out = new Uint8Array(picks.length * rowBytes);
  for (let i = 0; i < picks.length; i++) out.set(split.x.subarray(picks[i]! * rowBytes, (picks[i]! + 1) * rowBytes), i * rowBytes);
  return out;
}

/**
 * Above this many bytes of decoded pixels a training split is streamed from disk instead of loaded: LAB_STREAM_ABOVE_MB
 * when set, else a quarter of the machine's memory.
 */
export function streamAboveBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env['LAB_STREAM_ABOVE_MB']);
  return env['LAB_STREAM_ABOVE_MB'] !== undefined && Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : os.totalmem() / 4;
}

/** The split as an ImageArray with labels and no pixels (for a trainer that streams them). */
export function labelsOnly(split: SplitOnDisk): ImageArray {
  return { x: new Uint8Array(0), y: split.y, index: split.index, n: split.n, size: split.size, channels: split.channels, classes: split.classes };
}

/** Per-channel mean of the split's pixels in [0, 1] (as augment's channelMean), read from disk a chunk at a time. */
export async function splitChannelMean(split: SplitOnDisk, signal?: AbortSignal): Promise<number[]> {
  const c = split.channels;
  const sums = new Array<number>(c).fill(0);
  if (split.n === 0) return sums.fill(0.5);
  const chunk = Math.max(1, Math.floor((8 << 20) / split.rowBytes));
  for (let start = 0; start < split.n; start += chunk) {
    throwIfCancelled(signal);
    const picks = Array.from({ length: Math.min(chunk, split.n - start) }, (_, i) => start + i);
    const x = await readSplitRows(split, picks);
    for (let i = 0; i < x.length; i++) sums[i % c]! += x[i]!;
  }
  const per = split.n * split.size * split.size;
  return sums.map((s) => s / per / 255);
}
