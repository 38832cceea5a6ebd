// End to end (opt-in, `--e2e`): Fashion-MNIST as PNG class folders, 5 epochs of `bench` on the lab's default CPU
// path and on the PyTorch peer; wall time, training images/s and test accuracy for each.
// The folders are made once with ../shared/peers/fmnist_to_folders.py (Debian's dataset-fashion-mnist) under
// LAB_BENCH_DATA (default: <tmp>/lab-bench-fmnist). PNGs are read with sharp here until the lab's loader exists.
// Flags: --e2e-epochs N (5) --e2e-limit N (per class, 0 = all) --e2e-data DIR
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend } from '../../src/main/engine/backend';
import { buildBenchModel } from '../lib/bench-models';
import { PYTHON, peerUnavailable, runPeer } from '../lib/peer';
import type { BenchContext, BenchSection, SectionResult } from '../lib/section';

const SIZE = 28;
const BATCH = 64;

interface Split {
  x: Uint8Array;
  y: Int32Array;
  n: number;
  classes: string[];
}

async function readSplit(dir: string, limit: number): Promise<Split> {
  const classes = readdirSync(dir).sort();
  const files: [string, number][] = [];
  classes.forEach((c, ci) => {
    let names = readdirSync(path.join(dir, c)).sort();
    if (limit) names = names.slice(0, limit);
    for (const f of names) files.push([path.join(dir, c, f), ci]);
  });
  const x = new Uint8Array(files.length * SIZE * SIZE);
  const y = new Int32Array(files.length);
  const parallel = 16;
  for (let i = 0; i < files.length; i += parallel) {
    await Promise.all(
      files.slice(i, i + parallel).map(async ([file, label], j) => {
        const { data } = await sharp(file)
          .resize(SIZE, SIZE, { fit: 'fill' })
          .toColourspace('b-w')
          .raw()
          .toBuffer({ resolveWithObject: true });
        x.set(data.subarray(0, SIZE * SIZE), (i + j) * SIZE * SIZE);
        y[i + j] = label;
      }),
    );
  }
  return { x, y, n: files.length, classes };
}

function batchTensors(s: Split, idx: Int32Array, from: number, to: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = to - from;
  const xs = new Float32Array(n * SIZE * SIZE);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = idx[from + i]!;
    const src = k * SIZE * SIZE;
    for (let p = 0; p < SIZE * SIZE; p++) xs[i * SIZE * SIZE + p] = s.x[src + p]! / 255;
    ys[i] = s.y[k]!;
  }
  return {
    x: tf.tensor4d(xs, [n, SIZE, SIZE, 1]),
    y: tf.oneHot(tf.tensor1d(ys, 'int32'), s.classes.length) as tf.Tensor2D,
  };
}

function shuffled(n: number, seed: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const j = s % (i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

export async function ensureData(ctx: BenchContext, dir: string): Promise<void> {
  if (existsSync(path.join(dir, 'train')) && existsSync(path.join(dir, 'test'))) return;
  if (!ctx.peersDir) throw new Error('no Fashion-MNIST folders and no ../shared/peers/fmnist_to_folders.py to make them');
  ctx.log(`e2e: writing Fashion-MNIST PNG folders to ${dir} (once) …`);
  await promisify(execFile)(PYTHON, [path.join(ctx.peersDir, 'fmnist_to_folders.py'), dir], { maxBuffer: 16 << 20 });
}

export const section: BenchSection = {
  name: 'e2e',
  description: 'Fashion-MNIST PNG folders, `bench` CNN: lab default CPU path vs the PyTorch peer (opt-in: --e2e)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const f = ctx.args.flags;
    const epochs = Number(f['e2e-epochs'] ?? 5);
    const limit = Number(f['e2e-limit'] ?? 0);
    const dir = path.resolve(f['e2e-data'] ?? process.env.LAB_BENCH_DATA ?? path.join(os.tmpdir(), 'lab-bench-fmnist'));
    await ensureData(ctx, dir);

    const backend = await initBackend();
    const t0 = performance.now();
    const train = await readSplit(path.join(dir, 'train'), limit);
    const test = await readSplit(path.join(dir, 'test'), limit); // torch_ref.py's --limit applies to both splits
    const loadS = (performance.now() - t0) / 1000;
    ctx.log(`e2e: ${train.n} train / ${test.n} test images read in ${loadS.toFixed(1)} s; training on ${backend.name} …`);

    const model = buildBenchModel('bench', SIZE, 1, train.classes.length);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    let trainS = 0;
    let seen = 0;
    for (let e = 0; e < epochs; e++) {
      const idx = shuffled(train.n, e + 1);
      const te = performance.now();
      for (let i = 0; i + 2 <= train.n; i += BATCH) {
        const b = batchTensors(train, idx, i, Math.min(train.n, i + BATCH));
        await model.trainOnBatch(b.x, b.y);
        seen += b.x.shape[0];
        tf.dispose([b.x, b.y]);
      }
      trainS += (performance.now() - te) / 1000;
      ctx.log(`e2e: epoch ${e + 1}/${epochs}, ${(seen / trainS).toFixed(0)} img/s`);
    }
    let correct = 0;
    const order = Int32Array.from({ length: test.n }, (_, i) => i);
    for (let i = 0; i < test.n; i += 512) {
      const b = batchTensors(test, order, i, Math.min(test.n, i + 512));
      const pred = tf.tidy(() => (model.predict(b.x) as tf.Tensor).argMax(-1));
      const want = tf.tidy(() => b.y.argMax(-1));
      const [p, w] = [await pred.data(), await want.data()];
      for (let k = 0; k < p.length; k++) if (p[k] === w[k]) correct++;
      tf.dispose([b.x, b.y, pred, want]);
    }
    model.dispose();
    const lab = {
      backend: backend.name,
      train_images_per_s: Number((seen / trainS).toFixed(1)),
      test_accuracy: Number((correct / test.n).toFixed(4)),
      load_s: Number(loadS.toFixed(1)),
      total_s: Number(((performance.now() - t0) / 1000).toFixed(1)),
      n_train: train.n,
    };

    const whyNot = await peerUnavailable(ctx.peersDir);
    let peer = null;
    if (whyNot) ctx.log(whyNot);
    else {
      ctx.log('e2e: PyTorch peer …');
      const args = ['--data', dir, '--arch', 'bench', '--epochs', String(epochs)];
      if (limit) args.push('--limit', String(limit));
      peer = await runPeer(ctx.peersDir!, args);
    }
    const rows = [
      { who: `lab (${lab.backend})`, 'train img/s': lab.train_images_per_s, 'test acc': lab.test_accuracy, 'wall s': lab.total_s },
      ...(peer
        ? [{ who: peer.peer, 'train img/s': peer.train_images_per_s, 'test acc': peer.test_accuracy, 'wall s': peer.total_s }]
        : []),
    ];
    if (peer) {
      rows.push({
        who: 'ratio lab/peer',
        'train img/s': Number((lab.train_images_per_s / peer.train_images_per_s).toFixed(3)),
        'test acc': Number((lab.test_accuracy - peer.test_accuracy).toFixed(4)),
        'wall s': Number((lab.total_s / peer.total_s).toFixed(2)),
      });
    }
    return { rows, json: { epochs, limit, data: dir, lab, peer, peerSkipped: whyNot } };
  },
};
