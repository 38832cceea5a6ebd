// Profiles one training epoch of a peer architecture on a folder dataset (DIR/train/<class>/*): where the time of
// the epoch goes — each kernel's total (native and wasm kernels are synchronous, so wall time is theirs), batch
// preparation, the step's JS outside the kernels, and the rest of the loop.
//   npx tsx bench/profile-epoch.ts --data DIR --arch bench|ref [--batches N] [--home DIR]
import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { importDataset, loadSplit } from '../src/main/datasets';
import { initBackend } from '../src/main/engine';
import { openWorkspace } from '../src/main/workspace';
import { buildModel, PEER_ARCHITECTURES, preprocessingFor } from '../src/main/models';
import { parseTrainConfig } from '../src/main/training/train-config';
import { ImageBatches } from '../src/main/training/batch-source';
import { TrainStep } from '../src/main/training/train-step';

const { values } = parseArgs({ options: { data: { type: 'string' }, arch: { type: 'string', default: 'bench' }, batches: { type: 'string', default: '0' }, home: { type: 'string' } } });
const arch = values.arch === 'ref' ? 'ref' : 'bench';
const backend = await initBackend();
console.log(`backend ${backend.label}`);
const home = values.home ?? path.join(os.tmpdir(), 'profile-epoch-home');
mkdirSync(home, { recursive: true });
const ws = openWorkspace(home);
const input = { size: 28, channels: 1 as const, fit: 'squash' as const };
const t = Date.now();
const ds = await importDataset(ws, { paths: [path.join(values.data!, 'train')], input, split: { val: 0, test: 0, seed: 0 } });
const train = await loadSplit(ws, ds.id, input, 'train');
console.log(`data ${train.n} images in ${(Date.now() - t) / 1000}s`);
const config = parseTrainConfig({ datasetId: 'p', input: { size: 28, channels: 1 }, model: PEER_ARCHITECTURES[arch], optimizer: { name: 'adam', lr: 1e-3 }, epochs: 1, batchSize: 64, seed: 0, earlyStopping: { enabled: false } });
const model = await buildModel(config, train.classes.length);
const step = new TrainStep(model, config);
const source = new ImageBatches(train, config, preprocessingFor(config).normalization, false);

const kernelMs = new Map<string, { ms: number; calls: number }>();
for (const k of tf.getKernelsForBackend(tf.getBackend())) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, k.backendName);
  tf.registerKernel({ ...k, kernelFunc: (a) => { const t0 = performance.now(); const r = f(a); const e = kernelMs.get(k.kernelName) ?? { ms: 0, calls: 0 }; e.ms += performance.now() - t0; e.calls++; kernelMs.set(k.kernelName, e); return r; } });
}
const nb = Number(values.batches) || source.batchesPerEpoch;
for (let epoch = 0; epoch < 2; epoch++) {
  kernelMs.clear();
  source.beginEpoch(epoch);
  let prep = 0, stepMs = 0, rest = 0;
  const t0 = performance.now();
  for (let b = 0; b < nb; b++) {
    const a = performance.now();
    const { x, y } = await source.batch(b);
    const c = performance.now();
    await step.run(x, y, 1e-3, b);
    const d = performance.now();
    x.dispose(); y.dispose();
    await new Promise<void>((r) => setImmediate(r));
    prep += c - a; stepMs += d - c; rest += performance.now() - d;
  }
  const total = performance.now() - t0;
  const kern = [...kernelMs.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`epoch ${epoch}: ${nb} batches ${total.toFixed(0)} ms = ${(nb * 64 / total * 1000).toFixed(0)} img/s; prep ${prep.toFixed(0)} step ${stepMs.toFixed(0)} (kernels ${kern.toFixed(0)}, step JS ${(stepMs - kern).toFixed(0)}) rest ${rest.toFixed(0)}; tensors ${tf.memory().numTensors}`);
  if (epoch === 1) for (const [k, e] of [...kernelMs.entries()].sort((p, q) => q[1].ms - p[1].ms)) console.log(`  ${k.padEnd(32)} ${e.ms.toFixed(0).padStart(7)} ms ${String(e.calls).padStart(7)} calls ${(e.ms / e.calls * 1000).toFixed(0).padStart(7)} us`);
}
