/**
 * Embeddings of a frozen backbone, computed once per image and kept in the workspace:
 * datasets/<id>/embeddings/<key>.f32 (one float32 row of `dim` values per manifest item, written in place) and
 * <key>.json (the dataset fingerprint it belongs to, dim, and which rows are filled). The key covers the backbone
 * (its model.json and weight files), the cut layer, the input size/channels/fit and the pixel normalisation, so a
 * change to any of them is a different cache; a new fingerprint (files added, edits) starts the file again.
 * Runs and tuning trials on the same dataset and backbone reuse each other's rows.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import type { Preprocessing } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { readManifest } from '../datasets/manifest';
import { readPixels, type SplitPixels } from '../datasets/split-on-disk';
import { throwIfCancelled } from '../datasets/pool';
import { backboneDir } from '../models';
import type { Workspace } from '../workspace';
import { toInputTensor } from './input';

interface CacheMeta {
  version: 1;
  key: string;
  fingerprint: string;
  dim: number;
  rows: number;
  /** manifest rows whose embedding is in the file */
  have: number[];
}

/** Identity of the embeddings: everything that changes a vector. */
export async function embeddingKey(config: TrainConfig, pre: Preprocessing): Promise<string> {
  const m = config.model;
  if (m.kind !== 'transfer') throw new Error('embeddingKey: not a transfer model');
  const dir = backboneDir(m.backbone);
  const h = createHash('sha256');
  h.update(await readFile(path.join(dir, 'model.json')));
  for (const f of (await readdir(dir)).sort()) {
    if (f === 'model.json') continue;
    const s = await stat(path.join(dir, f));
    h.update(`${f}:${s.size}:${Math.round(s.mtimeMs)};`);
  }
  h.update(JSON.stringify({ cut: m.cutLayer ?? null, pretrained: m.pretrained !== false, input: config.input, normalization: pre.normalization }));
  return h.digest('hex').slice(0, 24);
}

export interface EmbeddingResult {
  /** n × dim per split given, in the split's order */
  sets: Float32Array[];
  dim: number;
  /** images run through the backbone now, and found in the cache */
  computed: number;
  reused: number;
}

export interface EmbeddingOptions {
  signal?: AbortSignal;
  /** Called after every batch computed: (done, total to compute). */
  onProgress?: (done: number, total: number) => void;
  batchSize?: number;
}

/**
 * The embeddings of every image of `splits` (of the dataset at the run's input, in memory or on disk), computing
 * those the cache lacks with `features` (image → feature vector) and storing them. Pixels are read a batch at a
 * time (the next batch is read while the backbone runs on this one), so a split on disk is never loaded whole:
 * memory is two batches of pixels plus the vectors (dim floats per image, e.g. 5 KB against 150 KB of pixels).
 */
export async function embeddingsFor(ws: Workspace, datasetId: string, key: string, features: tf.LayersModel, pre: Preprocessing, splits: SplitPixels[], opts: EmbeddingOptions = {}): Promise<EmbeddingResult> {
  const manifest = await readManifest(ws, datasetId);
  const rows = manifest.items.length;
  const dim = (features.outputs[0]!.shape as number[])[1]!;
  const dir = path.join(ws.datasetDir(datasetId), 'embeddings');
  await mkdir(dir, { recursive: true });
  const dataFile = path.join(dir, `${key}.f32`);
  const metaFile = path.join(dir, `${key}.json`);
  let meta: CacheMeta | null = null;
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8')) as CacheMeta;
  } catch {
    meta = null;
  }
  if (!meta || meta.fingerprint !== manifest.fingerprint || meta.dim !== dim || meta.rows !== rows || !existsSync(dataFile)) {
    meta = { version: 1, key, fingerprint: manifest.fingerprint, dim, rows, have: [] };
    await writeFile(dataFile, new Uint8Array(0));
  }
  const have = new Set(meta.have);
  const rowBytes = dim * 4;
  const fh = await open(dataFile, 'r+');
  let computed = 0;
  let reused = 0;
  try {
    // 1. Compute what is missing, split by split, a batch at a time, written at each image's row.
    const missing = splits.map((s) => [...Array(s.n).keys()].filter((i) => !have.has(s.index[i]!)));
    const total = missing.reduce((a, m) => a + m.length, 0);
    const B = opts.batchSize ?? 32;
    for (let s = 0; s < splits.length; s++) {
      const data = splits[s]!;
      const list = missing[s]!;
      const pixelsOf = (start: number): Promise<Uint8Array> | null => {
        if (start >= list.length) return null;
        const p = readPixels(data, list.slice(start, start + B));
        p.catch(() => {}); // a read-ahead nobody awaits (cancelled) must not become an unhandled rejection
        return p;
      };
      let next = pixelsOf(0);
      for (let start = 0; start < list.length; start += B) {
        throwIfCancelled(opts.signal);
        const idx = list.slice(start, start + B);
        const bytes = await next!;
        next = pixelsOf(start + B);
        const x = toInputTensor(bytes, idx.length, data.size, data.channels, pre.normalization);
        const out = features.predict(x) as tf.Tensor2D;
        const values = (await out.data()) as Float32Array;
        x.dispose();
        out.dispose();
        for (let k = 0; k < idx.length; k++) {
          const row = data.index[idx[k]!]!;
          await fh.write(new Uint8Array(values.buffer, values.byteOffset + k * rowBytes, rowBytes), 0, rowBytes, row * rowBytes);
          have.add(row);
        }
        computed += idx.length;
        opts.onProgress?.(computed, total);
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    if (computed > 0) {
      meta.have = [...have].sort((a, b) => a - b);
      await writeFile(`${metaFile}.tmp`, JSON.stringify(meta));
      await rename(`${metaFile}.tmp`, metaFile);
    }
    // 2. Read every split's rows (runs of consecutive cache rows in one read).
    const sets: Float32Array[] = [];
    for (const data of splits) {
      const set = new Float32Array(data.n * dim);
      await readRows(fh, dataFile, data.index, data.n, rowBytes, new Uint8Array(set.buffer));
      sets.push(set);
    }
    reused = splits.reduce((a, s) => a + s.n, 0) - computed;
    return { sets, dim, computed, reused };
  } finally {
    await fh.close();
  }
}

/** Rows index[0..n) of a file of fixed-size rows into out (row i at i × rowBytes), consecutive rows read at once. */
async function readRows(fh: FileHandle, file: string, index: ArrayLike<number>, n: number, rowBytes: number, out: Uint8Array): Promise<void> {
  let i = 0;
  while (i < n) {
    let end = i + 1;
    while (end < n && index[end]! === index[i]! + (end - i)) end++;
    const bytes = (end - i) * rowBytes;
    const { bytesRead } = await fh.read(out, i * rowBytes, bytes, index[i]! * rowBytes);
    if (bytesRead < bytes) throw new LabError('INTERNAL', msg('error.cache.short', { file }));
    i = end;
  }
}
