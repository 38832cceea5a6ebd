/**
 * The decoded uint8 cache: one file per (dataset, size, channels, fit) under the dataset's workspace folder,
 * row i = manifest item i preprocessed (size×size×channels, zero for unusable items). Built once, streamed to disk
 * with positional writes so memory stays flat; rows of unchanged images are copied from the previous cache.
 */
import { closeSync, ftruncateSync, openSync, writevSync } from 'node:fs';
import { open, readFile, rename, rm, writeFile, mkdir, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InputConfig } from '../../shared/config';
import type { SplitName } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { Workspace } from '../workspace';
import type { ImageArray } from './image-array';
import type { Manifest } from './manifest';
import { readManifest } from './manifest';
import { runPool, throwIfCancelled } from './pool';
import { preprocess } from './preprocess';
import { readImageFile } from './read-file';
import { makeProgress, type ProgressFn } from './progress';

const FLUSH_BYTES = 4 << 20;

interface CacheMeta {
  version: 1;
  input: InputConfig;
  fingerprint: string;
  rows: number;
  /** content hash of each row (null: unusable), so a rebuild can copy rows of images that did not change */
  hashes: (string | null)[];
}

export function cacheName(input: InputConfig): string {
  return `${input.size}x${input.size}x${input.channels}-${input.fit}`;
}

function cachePaths(ws: Workspace, id: string, input: InputConfig): { data: string; meta: string } {
  const base = path.join(ws.datasetDir(id), 'cache', cacheName(input));
  return { data: `${base}.u8`, meta: `${base}.json` };
}

async function readMeta(file: string): Promise<CacheMeta | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CacheMeta;
  } catch {
    return null;
  }
}

/**
 * Rows written while validating (the import decodes each file once and hands its pixels over). Rows are gathered in
 * a small buffer and flushed as runs of consecutive rows: one write per run instead of one per 784-byte row.
 */
export class CacheWriter {
  readonly done: Uint8Array;
  private pending = new Map<number, Uint8Array>();
  private pendingBytes = 0;
  private constructor(
    readonly file: string,
    private readonly fd: number,
    readonly rowBytes: number,
    rows: number,
  ) {
    this.done = new Uint8Array(rows);
  }

  static async create(ws: Workspace, id: string, input: InputConfig, rows: number): Promise<CacheWriter> {
    const { data } = cachePaths(ws, id, input);
    await mkdir(path.dirname(data), { recursive: true });
    const tmp = `${data}.${process.pid}.${Date.now()}.tmp`;
    const fd = openSync(tmp, 'w');
    ftruncateSync(fd, rows * input.size * input.size * input.channels);
    return new CacheWriter(tmp, fd, input.size * input.size * input.channels, rows);
  }

  write(row: number, pixels: Uint8Array): void {
    this.pending.set(row, pixels.length === this.rowBytes ? pixels : pixels.subarray(0, this.rowBytes));
    this.pendingBytes += this.rowBytes;
    this.done[row] = 1;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    const rows = [...this.pending.keys()].sort((a, b) => a - b);
    let k = 0;
    while (k < rows.length) {
      let end = k + 1;
      while (end < rows.length && rows[end] === rows[end - 1]! + 1) end++;
      const bufs = rows.slice(k, end).map((r) => this.pending.get(r)!);
      writevSync(this.fd, bufs, rows[k]! * this.rowBytes);
      k = end;
    }
    this.pending.clear();
    this.pendingBytes = 0;
  }

  async close(): Promise<void> {
    this.flush();
    closeSync(this.fd);
  }

  async discard(): Promise<void> {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    await rm(this.file, { force: true });
  }
}

export interface CacheOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** rows already written by the import */
  writer?: CacheWriter;
}

const building = new Map<string, Promise<string>>();

/** Make sure the cache for `input` matches the manifest; build (or finish) it if not. Returns the data file. */
export async function ensureCache(ws: Workspace, manifest: Manifest, input: InputConfig, opts: CacheOptions = {}): Promise<string> {
  if (opts.writer) return buildCache(ws, manifest, input, opts);
  // Train and val loaded at once must not build the same file twice.
  const key = `${cachePaths(ws, manifest.summary.id, input).data}\n${manifest.fingerprint}`;
  let job = building.get(key);
  if (!job) {
    job = buildCache(ws, manifest, input, opts).finally(() => building.delete(key));
    building.set(key, job);
  }
  return job;
}

async function buildCache(ws: Workspace, manifest: Manifest, input: InputConfig, opts: CacheOptions): Promise<string> {
  const id = manifest.summary.id;
  const paths = cachePaths(ws, id, input);
  const meta = await readMeta(paths.meta);
  if (meta && meta.fingerprint === manifest.fingerprint && meta.rows === manifest.items.length && !opts.writer) return paths.data;
  const items = manifest.items;
  const writer = opts.writer ?? (await CacheWriter.create(ws, id, input, items.length));
  let old: FileHandle | null = null;
  try {
    // Rows of unchanged images come from the previous cache of this size, if there is one.
    const oldRow = new Map<string, number>();
    if (meta && meta.input.size === input.size && meta.input.channels === input.channels && meta.input.fit === input.fit) {
      old = await open(paths.data, 'r').catch(() => null);
      if (old) meta.hashes.forEach((h, i) => h !== null && oldRow.set(h, i));
    }
    const todo: number[] = [];
    items.forEach((it, i) => {
      if (it.status === 'ok' && it.hash && !writer.done[i]) todo.push(i);
    });
    const progress = makeProgress('cache', todo.length, opts.onProgress);
    const oldHandle = old;
    await runPool(todo.length, Math.max(2, Math.min(8, os.availableParallelism() * 2)), async (k) => {
      const i = todo[k]!;
      const it = items[i]!;
      const from = oldRow.get(it.hash!);
      if (oldHandle && from !== undefined) {
        const buf = new Uint8Array(writer.rowBytes);
        await oldHandle.read(buf, 0, writer.rowBytes, from * writer.rowBytes);
        writer.write(i, buf);
      } else {
        let pixels: Uint8Array;
        try {
          pixels = await preprocess(await readImageFile(it.path, it.size), input);
        } catch (err) {
          // The file changed or vanished since the import: its row stays black, and the user is told to re-import.
          throw new LabError('UNREADABLE', msg('error.cache.undecodable', { path: it.path, detail: (err as Error).message }), { path: it.path });
        }
        writer.write(i, pixels);
      }
      progress.tick();
    }, opts.signal);
    progress.finish();
    throwIfCancelled(opts.signal);
    await old?.close();
    old = null;
    await writer.close();
    await rename(writer.file, paths.data);
    const next: CacheMeta = { version: 1, input, fingerprint: manifest.fingerprint, rows: items.length, hashes: items.map((it) => (it.status === 'ok' ? it.hash : null)) };
    await writeFile(paths.meta, JSON.stringify(next));
    return paths.data;
  } catch (err) {
    await old?.close().catch(() => undefined);
    await writer.discard();
    throw err;
  }
}

/** Classes in label order: every class of the dataset, sorted, so label ids agree across splits. */
export function classOrder(manifest: Manifest): string[] {
  return manifest.summary.classes.map((c) => c.name);
}

/**
 * A split as an ImageArray, read from the decoded cache (built on first use). Only usable images, in manifest
 * order; y indexes classOrder(). Memory grows with the split: use it only for a split known to fit (run-splits.ts
 * loads one below the memory allowance); elsewhere open the split on disk (split-on-disk.ts: openSplit) and read
 * the images needed, a batch or a chunk at a time (readSplitRows, splitChannelMean).
 */
export async function loadSplit(ws: Workspace, datasetId: string, input: InputConfig, split: SplitName, opts: { signal?: AbortSignal; onProgress?: ProgressFn } = {}): Promise<ImageArray> {
  const manifest = await readManifest(ws, datasetId);
  const file = await ensureCache(ws, manifest, input, opts);
  const classes = classOrder(manifest);
  const label = new Map(classes.map((c, i) => [c, i]));
  const rows: number[] = [];
  manifest.items.forEach((it, i) => {
    if (it.status === 'ok' && it.split === split && label.has(it.className)) rows.push(i);
  });
  const rowBytes = input.size * input.size * input.channels;
  const x = new Uint8Array(rows.length * rowBytes);
  const y = new Int32Array(rows.length);
  const index = new Int32Array(rows.length);
  const fh = await open(file, 'r');
  try {
    // Sequential reads in large chunks; rows of the split are picked out of each chunk.
    const chunkRows = Math.max(1, Math.floor((8 << 20) / rowBytes));
    const chunk = new Uint8Array(chunkRows * rowBytes);
    let k = 0;
    while (k < rows.length) {
      throwIfCancelled(opts.signal);
      const first = rows[k]!;
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, first * rowBytes);
      while (k < rows.length && rows[k]! < first + chunkRows && (rows[k]! - first + 1) * rowBytes <= bytesRead) {
        const r = rows[k]!;
        x.set(chunk.subarray((r - first) * rowBytes, (r - first + 1) * rowBytes), k * rowBytes);
        y[k] = label.get(manifest.items[r]!.className)!;
        index[k] = r;
        k++;
      }
      if (k < rows.length && rows[k] === first) throw new LabError('INTERNAL', msg('error.cache.short', { file }));
    }
  } finally {
    await fh.close();
  }
  return { x, y, index, n: rows.length, size: input.size, channels: input.channels, classes };
}
