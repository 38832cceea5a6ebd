/**
 * The lab's side of the PyTorch peer comparison (../shared/peers/torch_ref.py): same folders, same architecture,
 * same optimizer, batch and epochs; prints one JSON line shaped like the peer's.
 *   npx tsx src/main/training/peer-benchmark.ts --data DIR --arch bench|ref --epochs E [--batch 64] [--limit N] [--size 28] [--channels 1]
 * DIR/train/<class>/*.png and DIR/test/<class>/*.png (e.g. written by ../shared/peers/fmnist_to_folders.py).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { ImageArray } from '../datasets/image-array';
import { initBackend } from '../engine';
import { PEER_ARCHITECTURES, preprocessingFor } from '../models';
import { evaluateModel } from './evaluate';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';

async function loadFolders(root: string, size: number, channels: 1 | 3, limit: number): Promise<ImageArray> {
  const classes = readdirSync(root).sort();
  const pixels: Buffer[] = [];
  const labels: number[] = [];
  for (const [k, c] of classes.entries()) {
    let files = readdirSync(path.join(root, c)).sort();
    if (limit) files = files.slice(0, limit);
    for (const f of files) {
      let img = sharp(path.join(root, c, f)).resize(size, size, { fit: 'fill' }).removeAlpha();
      img = channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
      pixels.push(await img.raw().toBuffer());
      labels.push(k);
    }
  }
  const row = size * size * channels;
  const x = new Uint8Array(labels.length * row);
  pixels.forEach((p, i) => x.set(p.subarray(0, row), i * row));
  return { x, y: Int32Array.from(labels), index: Int32Array.from(labels, (_, i) => i), n: labels.length, size, channels, classes };
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
  const arch = values.arch === 'ref' ? 'ref' : 'bench';
  const size = Number(values.size);
  const channels = Number(values.channels) === 3 ? 3 : 1;
  // The lab's normal backend choice (fastest that loads; LAB_BACKEND overrides).
  const backend = await initBackend();
  process.stderr.write(`backend: ${backend.label}\n`);
  const t0 = Date.now();
  const train = await loadFolders(path.join(values.data, 'train'), size, channels, Number(values.limit));
  const test = await loadFolders(path.join(values.data, 'test'), size, channels, Number(values.limit));
  const loadS = (Date.now() - t0) / 1000;
  const config = parseTrainConfig({
    datasetId: 'peer-benchmark',
    input: { size, channels },
    model: PEER_ARCHITECTURES[arch],
    optimizer: { name: 'adam', lr: Number(values.lr) },
    epochs: Number(values.epochs),
    batchSize: Number(values.batch),
    seed: Number(values.seed),
    earlyStopping: { enabled: false },
  });
  let trainS = 0;
  let seen = 0;
  const { model } = await trainRun({
    config,
    train,
    val: null,
    runDir: mkdtempSync(path.join(os.tmpdir(), 'peer-bench-')),
    hooks: {
      onBatch: () => undefined,
      onEpoch: (e) => {
        trainS += e.durationS;
        seen += e.imagesPerS * e.durationS;
        process.stderr.write(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} ${e.imagesPerS.toFixed(0)} img/s\n`);
      },
      onLog: (level, message) => process.stderr.write(`${level}: ${message}\n`),
    },
  });
  const evaluation = await evaluateModel(model, test, preprocessingFor(config));
  console.log(
    JSON.stringify({
      peer: `lab-tfjs-${tf.version.tfjs}-${tf.getBackend()}`,
      arch,
      epochs: config.epochs,
      train_images_per_s: Math.round((seen / trainS) * 10) / 10,
      test_accuracy: Math.round(evaluation.accuracy * 10000) / 10000,
      load_s: Math.round(loadS * 10) / 10,
      total_s: Math.round((Date.now() - t0) / 100) / 10,
      n_train: train.n,
      n_test: test.n,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
