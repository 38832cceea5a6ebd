/**
 * Throughput of one small Fashion-MNIST cnn job (resources/sample: 1000 training and 200 validation images, 28×28×1,
 * the lab's default cnn, Adam, batch 32): labjob on 1 process, labjob on 2 gloo ranks (one thread each), and the
 * lab's own engine on the fastest backend it loads (the native oneDNN path here), measured back to back in one run.
 * Images/s is the epoch's (validation included, as the lab's epoch log counts it), median over epochs 2…N.
 *   flock /tmp/heavy.lock npx tsx src/main/torch-engine/test-support/fmnist-job-bench.ts [--epochs 5] [--rounds 2] [--keep]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { EpochLog } from '../../../shared/dto';
import { initBackend } from '../../engine/backend';
import { buildModel } from '../../models';
import { parseTrainConfig } from '../../training/train-config';
import { trainRun } from '../../training/trainer';
import type { ImageArray } from '../../datasets/image-array';
import { labLines, runLabjob, writeJobFolder } from './labjob-fixture';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function readSplit(dir: string, classes: string[]): Promise<ImageArray> {
  const files: [string, number][] = [];
  classes.forEach((c, k) => readdirSync(path.join(dir, c)).sort().forEach((f) => files.push([path.join(dir, c, f), k])));
  const x = new Uint8Array(files.length * 28 * 28);
  const y = new Int32Array(files.length);
  for (let i = 0; i < files.length; i++) {
    const { data } = await sharp(files[i]![0]).greyscale().resize(28, 28, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    x.set(data.subarray(0, 28 * 28), i * 28 * 28);
    y[i] = files[i]![1];
  }
  return { x, y, index: Int32Array.from(y, (_, i) => i), n: files.length, size: 28, channels: 1, classes };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function main() {
  const epochs = arg('epochs', 5);
  const rounds = arg('rounds', 2);
  const sample = path.resolve('resources/sample');
  const classes = readdirSync(path.join(sample, 'train')).sort();
  const train = await readSplit(path.join(sample, 'train'), classes);
  const val = await readSplit(path.join(sample, 'test'), classes);
  const config = parseTrainConfig({ datasetId: 'fmnist', input: { size: 28, channels: 1, fit: 'squash' }, optimizer: { name: 'adam', lr: 1e-3 }, batchSize: 32, epochs, earlyStopping: { enabled: false } });
  const root = mkdtempSync(path.join(tmpdir(), 'fmnist-job-'));
  const backend = await initBackend();
  const model = await buildModel(config, classes.length);
  const dir = await writeJobFolder(path.join(root, 'job'), { config, classes, model, train, val });
  const results: Record<string, number[]> = { 'labjob 1 process': [], 'labjob 2 processes (gloo)': [], [`lab engine (${backend.label})`]: [] };
  const acc: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, args] of [
      ['labjob 1 process', ['run', '--job', dir, '--fresh']],
      ['labjob 2 processes (gloo)', ['launch', '--nproc', '2', '--', 'run', '--job', dir, '--fresh']],
    ] as const) {
      // One thread per process: 2 cores, 2 ranks. The single process gets both cores.
      const r = runLabjob(dir, [...args], { OMP_NUM_THREADS: name.includes('2 processes') ? '1' : '2' }, 1_800_000);
      if (r.status !== 0) throw new Error(`${name}: exit ${String(r.status)}\n${r.stderr}`);
      const ep = labLines(r.stdout).filter((l) => l.kind === 'epoch');
      results[name]!.push(median(ep.slice(1).map((e) => e.imagesPerS as number)));
      acc[name] = ep.at(-1)!.valAccuracy as number;
    }
    const logs: EpochLog[] = [];
    await trainRun({ config, train, val, runDir: path.join(root, `lab-${round}`), hooks: { onBatch: () => {}, onEpoch: (e) => logs.push(e), onLog: () => {} } });
    const name = `lab engine (${backend.label})`;
    results[name]!.push(median(logs.slice(1).map((e) => e.imagesPerS)));
    acc[name] = logs.at(-1)!.valAccuracy!;
  }
  const base = median(results['labjob 1 process']!);
  console.log(`Fashion-MNIST sample, 1000 train / 200 val, 28×28×1, default cnn, batch 32, ${epochs} epochs, ${rounds} rounds`);
  for (const [name, v] of Object.entries(results)) {
    console.log(`${name.padEnd(34).slice(0, 90)} ${median(v).toFixed(0).padStart(6)} images/s  (×${(median(v) / base).toFixed(2)} of 1 process; rounds ${v.map((x) => x.toFixed(0)).join(', ')}; val accuracy after ${epochs} epochs ${(acc[name]! * 100).toFixed(1)}%)`);
  }
  if (process.argv.includes('--keep')) console.log(`job folder kept: ${dir}`);
  else rmSync(root, { recursive: true, force: true });
}

void main();
