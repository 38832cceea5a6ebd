// Datasets bigger than memory (`npm run bench -- --only streaming`): one epoch of training batches (read, shuffled,
// normalised into the model's input tensor, disposed) from a synthetic decoded cache of N 224-px colour images, for
// the in-memory source (loadSplit's whole-split array + ImageBatches) and the streamed one (StreamedImageBatches,
// read-ahead 2). Reports images/s and the peak RSS above the process's RSS before the case. The cache file is
// written directly (random pixels, no JPEG import) under the temp folder and deleted afterwards.
// In-memory images/s excludes the load (its own column); the streamed epoch includes every read. The file was just
// written, so both read mostly from the page cache. Where both are measured they run interleaved (streamed, in-memory
// ×2, streamed) after a warm-up, and each source's faster epoch is reported: the machine is shared.
// The in-memory source is only measured where the split fits (--streaming-memory-max, default 10000 images = 1.5 GB).
// Flags: --streaming-counts 10000,100000 --streaming-size 224 --streaming-batch 32 --streaming-memory-max 10000
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/main/engine';
import type { ImageArray } from '../../src/main/datasets';
import { readSplitRows, type SplitOnDisk } from '../../src/main/datasets/split-on-disk';
import { ImageBatches, StreamedImageBatches, type BatchSource } from '../../src/main/training/batch-source';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';

const MB = 1 << 20;

function writeCache(file: string, n: number, rowBytes: number): void {
  const fd = openSync(file, 'w');
  const chunkRows = Math.max(1, Math.floor((16 * MB) / rowBytes));
  const chunk = Buffer.alloc(chunkRows * rowBytes);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  for (let r = 0; r < n; r += chunkRows) writeSync(fd, chunk, 0, Math.min(chunkRows, n - r) * rowBytes);
  closeSync(fd);
}

async function epoch(source: BatchSource, e = 0): Promise<number> {
  source.beginEpoch(e);
  let seen = 0;
  for (let b = 0; b < source.batchesPerEpoch; b++) {
    const { x, y, n } = await source.batch(b);
    (x as tf.Tensor).dispose();
    y.dispose();
    seen += n;
  }
  return seen;
}

/** Runs `f` while sampling RSS every 20 ms; returns its result, seconds and the peak RSS above the start (MB). */
async function measure<T>(f: () => Promise<T>): Promise<{ value: T; s: number; peakMB: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t = Date.now();
  try {
    const value = await f();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, s: (Date.now() - t) / 1000, peakMB: Math.round((peak - base) / MB) };
  } finally {
    clearInterval(timer);
  }
}

export const section: BenchSection = {
  name: 'streaming',
  description: 'one epoch of 224-px training batches from the decoded cache: whole split in memory vs streamed from disk',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const f = ctx.args.flags;
    const counts = (f['streaming-counts'] ?? '10000,100000').split(',').map(Number);
    const size = Number(f['streaming-size'] ?? 224);
    const batchSize = Number(f['streaming-batch'] ?? 32);
    const memoryMax = Number(f['streaming-memory-max'] ?? 10000);
    await initBackend();
    const rowBytes = size * size * 3;
    const classes = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const config = { batchSize, seed: 1, balance: 'none' as const };
    const rows: Row[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'streaming-bench-'));
    try {
      for (const n of counts) {
        const file = path.join(dir, `cache-${n}.u8`);
        ctx.log(`streaming: writing ${n} × ${size}² × 3 (${Math.round((n * rowBytes) / MB)} MB) …`);
        writeCache(file, n, rowBytes);
        const ids = Int32Array.from({ length: n }, (_, i) => i);
        const split: SplitOnDisk = { file, rows: ids, y: Int32Array.from(ids, (i) => i % classes.length), index: ids, n, size, channels: 3, classes, rowBytes };
        const streamed = new StreamedImageBatches(split, config, 'symmetric', false, undefined, 2);
        if (rows.length === 0) {
          // Warm-up (first calls of the kernels and of the file reads), not timed.
          streamed.beginEpoch(99);
          for (let b = 0; b < Math.min(5, streamed.batchesPerEpoch); b++) {
            const w = await streamed.batch(b);
            (w.x as tf.Tensor).dispose();
            w.y.dispose();
          }
        }
        const s = await measure(() => epoch(streamed));
        if (n <= memoryMax) {
          // Interleaved on a shared machine: streamed epoch, in-memory load + two epochs, a second streamed epoch;
          // each source's faster epoch is reported.
          let loadS = 0;
          const epochS: number[] = [];
          const m = await measure(async () => {
            // What loadSplit does: the whole split in one array (read here with the same reader), then batches from memory.
            const t = Date.now();
            const data: ImageArray = { x: await readSplitRows(split, ids), y: split.y, index: ids, n, size, channels: 3, classes };
            loadS = (Date.now() - t) / 1000;
            const source = new ImageBatches(data, config, 'symmetric', false);
            for (let e = 0; e < 2; e++) {
              const te = Date.now();
              await epoch(source, e);
              epochS.push((Date.now() - te) / 1000);
            }
          });
          const s2 = await measure(() => epoch(streamed, 1));
          const best = Math.min(s.s, s2.s);
          rows.push({ images: n, source: 'streamed from disk', 'images/s': Math.round(n / best), 'load s': 0, 'peak RSS +MB': Math.max(s.peakMB, s2.peakMB), 'batches held': streamed.maxHeld });
          rows.push({ images: n, source: 'whole split in memory', 'images/s': Math.round(n / Math.min(...epochS)), 'load s': Math.round(loadS * 10) / 10, 'peak RSS +MB': m.peakMB, 'batches held': Math.ceil(n / batchSize) });
        } else {
          rows.push({ images: n, source: 'streamed from disk', 'images/s': Math.round(s.value / s.s), 'load s': 0, 'peak RSS +MB': s.peakMB, 'batches held': streamed.maxHeld });
          rows.push({ images: n, source: 'whole split in memory', 'images/s': null, 'load s': null, 'peak RSS +MB': Math.round((n * rowBytes) / MB), 'batches held': null });
        }
        rmSync(file, { force: true });
      }
      return { rows, json: { size, batchSize, counts, rows, note: 'in-memory rows past --streaming-memory-max give the array size it would need, not a measurement' } };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
