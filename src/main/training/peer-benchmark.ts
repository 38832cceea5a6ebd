/**
 * The lab's side of the PyTorch peer comparison (../shared/peers/torch_ref.py): same folders, same architecture,
 * same optimizer, batch and epochs; prints one JSON line shaped like the peer's.
 *   npx tsx src/main/training/peer-benchmark.ts --data DIR --arch bench|ref --epochs E [--batch 64] [--limit N] [--size 28] [--channels 1]
 * DIR/train/<class>/*.png and DIR/test/<class>/*.png (e.g. written by ../shared/peers/fmnist_to_folders.py).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importDataset } from '../datasets';
import { labelsOnly, openSplit, readSplitRows, streamAboveBytes, type SplitOnDisk } from '../datasets/split-on-disk';
import { initBackend } from '../engine';
import { openWorkspace } from '../workspace';
import { PEER_ARCHITECTURES, preprocessingFor } from '../models';
import { evaluateModel } from './evaluate';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';

/** The first `limit` images of each class (all when 0), as torch_ref.py's --limit takes the first files; no pixels are read. */
function firstPerClass(a: SplitOnDisk, limit: number): SplitOnDisk {
  if (!limit) return a;
  const seen = new Map<number, number>();
  const keep: number[] = [];
  for (let i = 0; i < a.n; i++) {
    const k = seen.get(a.y[i]!) ?? 0;
    if (k < limit) keep.push(i);
    seen.set(a.y[i]!, k + 1);
  }
  const pick = (v: Int32Array): Int32Array => Int32Array.from(keep, (i) => v[i]!);
  return { ...a, rows: pick(a.rows), y: pick(a.y), index: pick(a.index), n: keep.length };
}

export interface PeerBenchmarkOptions {
  data: string;
  arch: 'bench' | 'ref';
  epochs: number;
  batch?: number;
  lr?: number;
  /** Images per class and split (0 = all), as torch_ref.py's --limit. */
  limit?: number;
  size?: number;
  channels?: 1 | 3;
  seed?: number;
  log?: (line: string) => void;
}

/** The lab's result in torch_ref.py's shape (snake_case keys), so the two print side by side. */
export interface PeerBenchmarkResult {
  peer: string;
  arch: string;
  epochs: number;
  train_images_per_s: number;
  test_accuracy: number;
  load_s: number;
  total_s: number;
  n_train: number;
  n_test: number;
  /** Which engine backend trained (onednn, wasm, …). */
  backend: string;
}

/** Trains the peer's architecture with the lab's trainer on DIR/train and evaluates on DIR/test. */
export async function runPeerBenchmark(o: PeerBenchmarkOptions): Promise<PeerBenchmarkResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const size = o.size ?? 28;
  const channels = o.channels ?? 1;
  // The lab's normal backend choice (fastest that loads; LAB_BACKEND overrides).
  const backend = await initBackend();
  log(`backend: ${backend.label}`);
  const t0 = Date.now();
  // The lab's own import (scan, validate, decode once into its cache) into a scratch workspace, all of DIR/train
  // for training (no validation split carved out: the peer trains on all of it) and DIR/test for the test.
  const home = mkdtempSync(path.join(os.tmpdir(), 'peer-bench-'));
  try {
    const ws = openWorkspace(home);
    const input = { size, channels, fit: 'squash' as const };
    const dataset = await importDataset(ws, { paths: [o.data], input, split: { val: 0, test: 0, seed: 0 } });
    const onDisk = firstPerClass(await openSplit(ws, dataset.id, input, 'train'), o.limit ?? 0);
    // The test split stays in the decoded cache (evaluated a batch at a time). The training split is loaded when it
    // fits the memory allowance, as a run's is (the peer holds its images in memory too), and streamed when not.
    const test = firstPerClass(await openSplit(ws, dataset.id, input, 'test'), o.limit ?? 0);
    const stream = onDisk.n * onDisk.rowBytes > streamAboveBytes() ? onDisk : null;
    const train = stream ? labelsOnly(stream) : { ...labelsOnly(onDisk), x: await readSplitRows(onDisk, Int32Array.from({ length: onDisk.n }, (_, i) => i)) };
    if (train.n === 0 || test.n === 0) throw new Error(`${o.data}: expected train/<class>/* and test/<class>/* images`);
    const loadS = (Date.now() - t0) / 1000;
    const config = parseTrainConfig({
      datasetId: 'peer-benchmark',
      input: { size, channels },
      model: PEER_ARCHITECTURES[o.arch],
      optimizer: { name: 'adam', lr: o.lr ?? 1e-3 },
      epochs: o.epochs,
      batchSize: o.batch ?? 64,
      seed: o.seed ?? 0,
      earlyStopping: { enabled: false },
    });
    let trainS = 0;
    let seen = 0;
    const { model } = await trainRun({
      config,
      train,
      val: null,
      runDir: ws.runDir('peer-benchmark'),
      ...(stream ? { stream } : {}),
      hooks: {
        onBatch: () => undefined,
        onEpoch: (e) => {
          // imagesPerS counts the epoch's batches only; every epoch trains on the whole split.
          trainS += train.n / e.imagesPerS;
          seen += train.n;
          log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} ${e.imagesPerS.toFixed(0)} img/s`);
        },
        onLog: (level, message) => log(`${level}: ${message}`),
      },
    });
    const evaluation = await evaluateModel(model, test, preprocessingFor(config));
    model.dispose();
    const backendName = backend.candidates.find((c) => c.loaded)?.name ?? tf.getBackend();
    return {
      peer: `lab-tfjs-${tf.version.tfjs}-${backendName}`,
      arch: o.arch,
      epochs: config.epochs,
      train_images_per_s: Math.round((seen / trainS) * 10) / 10,
      test_accuracy: Math.round(evaluation.accuracy * 10000) / 10000,
      load_s: Math.round(loadS * 10) / 10,
      total_s: Math.round((Date.now() - t0) / 100) / 10,
      n_train: train.n,
      n_test: test.n,
      backend: backendName,
    };
  } finally {
    // Also when the import or training fails: the scratch workspace (cache, checkpoints) is ours to remove.
    rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      arch: { type: 'string', default: 'bench' },
      epochs: { type: 'string', default: '1' },
      batch: { type: 'string', default: '64' },
      lr: { type: 'string', default: '0.001' },
      limit: { type: 'string', default: '0' },
      size: { type: 'string', default: '28' },
      channels: { type: 'string', default: '1' },
      seed: { type: 'string', default: '0' },
    },
  });
  if (!values.data) throw new Error('--data DIR is required');
  const result = await runPeerBenchmark({
    data: values.data,
    arch: values.arch === 'ref' ? 'ref' : 'bench',
    epochs: Number(values.epochs),
    batch: Number(values.batch),
    lr: Number(values.lr),
    limit: Number(values.limit),
    size: Number(values.size),
    channels: Number(values.channels) === 3 ? 3 : 1,
    seed: Number(values.seed),
  });
  console.log(JSON.stringify(result));
}

// Run as a script (tsx src/main/training/peer-benchmark.ts …), not when imported by the benchmark.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
