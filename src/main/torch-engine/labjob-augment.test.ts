/**
 * labjob augments a batch exactly as the lab's training path does: the same parameters from the same seeds (per image
 * id and epoch), the same colour matrix, bilinear affine with each fill mode, random erasing (grey noise on grey
 * images, or the mean colour), and mixup over the batch. Pixels agree within 1e-5, mixed labels within 1e-6.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AugmentConfig } from '../../shared/augment-config';
import { createBatchAugmenter } from '../augment/batch-path';
import { toInputTensor } from '../training/input';
import { hasTorch, LABJOB_SOURCE, randomImages, readF32, torchPython } from './test-support/labjob-fixture';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(tmpdir(), 'labjob-aug-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SCRIPT = `
import json, sys, numpy as np, torch
from labjob.augment import Augmenter
for req in json.load(sys.stdin):
    n, size, c = req["n"], req["size"], req["channels"]
    x = np.fromfile(req["x"], dtype=np.uint8).reshape(n, size, size, c)
    y = torch.nn.functional.one_hot(torch.tensor(req["y"]), req["classes"]).float()
    aug = Augmenter(req["config"], req["seed"], req["mean"])
    xs, ys = [], []
    for s, e in req["shares"]:
        xa, ya, _ = aug.batch(x, np.arange(n), np.asarray(req["ids"]), y, s, e, req["epoch"])
        xs.append(xa.numpy()); ys.append(ya.numpy())
    np.concatenate(xs).astype("<f4").tofile(req["out"])
    np.concatenate(ys).astype("<f4").tofile(req["out"] + ".y")
`;

const CASES: { name: string; config: AugmentConfig; channels: 1 | 3 }[] = [
  { name: 'strong (reflect fill, affine, random erasing, mixup), RGB', config: { preset: 'strong' }, channels: 3 },
  { name: 'strong, one channel', config: { preset: 'strong', erasing: { p: 1 } }, channels: 1 },
  { name: 'standard with vertical flips, nearest fill and mean-colour erasing', config: { preset: 'standard', vflip: { enabled: true }, fill: { mode: 'nearest' }, erasing: { fill: 'mean', p: 1 } }, channels: 3 },
  { name: 'light with ±30° rotations on a grey constant fill', config: { preset: 'light', rotate: { enabled: true, p: 1, degrees: 30 }, fill: { mode: 'constant', value: 0.5 } }, channels: 3 },
];

interface Prepared {
  req: Record<string, unknown>;
  out: string;
  labX: Float32Array;
  labY: Float32Array;
  plain: Float32Array;
}

/** The lab's augmented batch for case k, and the request that asks labjob for the same one. */
function prepare(c: (typeof CASES)[number], k: number): Prepared {
  const n = 10;
  const size = 12;
  const data = randomImages(n, size, c.channels, 3, 40 + k);
  // Image 0 is grey in RGB (equal channels): random erasing must then fill it with grey noise.
  if (c.channels === 3) for (let i = 0; i < size * size; i++) data.x[i * 3 + 1] = data.x[i * 3 + 2] = data.x[i * 3]!;
  const ids = Int32Array.from({ length: n }, (_, i) => 1000 + 37 * i);
  const mean = c.channels === 3 ? [0.4, 0.5, 0.6] : [0.45];
  const seed = 42;
  const epoch = 3;
  const aug = createBatchAugmenter(c.config, { size, channels: c.channels, fit: 'squash' }, seed, { mean })!;
  const unit = toInputTensor(data.x, n, size, c.channels, 'unit');
  const y = tf.oneHot(tf.tensor1d(data.y, 'int32'), 3).toFloat() as tf.Tensor2D;
  const lab = aug.apply(unit, y, { epoch, imageIds: ids });
  const prepared = { labX: lab.x.dataSync() as Float32Array, labY: lab.y.dataSync() as Float32Array, plain: unit.dataSync() as Float32Array };
  tf.dispose([unit, y, lab.x, lab.y]);
  const file = path.join(root, `x${k}.u8`);
  writeFileSync(file, data.x);
  const out = path.join(root, `out${k}.f32`);
  // Two shares, as two ranks would take them: each augments its own rows (and their mixup partners).
  const req = { n, size, channels: c.channels, classes: 3, x: file, y: Array.from(data.y), ids: Array.from(ids), config: c.config, seed, epoch, mean, out, shares: [[0, 4], [4, n]] };
  return { req, out, ...prepared };
}

let prepared: Prepared[] | null = null;

/** Every case, with labjob's outputs written by one Python run (one PyTorch start-up for all cases). */
function cases(): Prepared[] {
  if (prepared) return prepared;
  const all = CASES.map(prepare);
  const py = torchPython();
  if (!('python' in py)) throw new Error(py.reason);
  const r = spawnSync(py.python, ['-c', SCRIPT], { input: JSON.stringify(all.map((p) => p.req)), encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.dirname(LABJOB_SOURCE), PYTHONDONTWRITEBYTECODE: '1' }, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  prepared = all;
  return all;
}

describe.skipIf(!hasTorch())("labjob's augmentation is the lab's", () => {
  CASES.forEach((c, k) => {
    it(c.name, () => {
      const { out, labX, labY, plain } = cases()[k]!;
      const torchX = readF32(out);
      const torchY = readF32(`${out}.y`);
      expect(torchX.length).toBe(labX.length);
      expect(Math.max(...labX.map((v, i) => Math.abs(v - torchX[i]!)))).toBeLessThan(1e-5);
      expect(Math.max(...labY.map((v, i) => Math.abs(v - torchY[i]!)))).toBeLessThan(1e-6);
      // The augmentation did change the batch.
      expect(Math.max(...labX.map((v, i) => Math.abs(v - plain[i]!)))).toBeGreaterThan(0.1);
    });
  });
});
