// Batch preparation on the addon's worker thread: the same floats as the JS conversion, bit for bit, for both
// pixel ranges, any row order (repeats included, as oversampling makes); a bad row fails the promise instead of
// reading past the dataset; and the training source hands out the batches it always did while preparing the next
// one in the background.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageArray } from '../../datasets/image-array';
import { ImageBatches } from '../../training/batch-source';
import { toInputTensor } from '../../training/input';
import { gatherRunsInBackground, gatherToFloat, gatherToFloatSync } from '../batch-prep';
import { seeded } from '../test-util';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnn, type OneDnnAddon } from './addon';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';

const native = loadOneDnn();
const has = native.ok && typeof native.addon.gatherToFloat === 'function';
if (!has) console.warn(`SKIPPED native batch preparation tests: ${native.ok ? 'the addon was built before gatherToFloat' : native.reason}`);

function dataset(n: number, size: number, channels: 1 | 3, seed: number): ImageArray {
  const r = seeded(seed);
  const x = Uint8Array.from({ length: n * size * size * channels }, (_, i) => (i % 7 === 0 ? 255 : Math.floor(r() * 256)));
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  return { x, y, index: Int32Array.from({ length: n }, (_, i) => i), n, size, channels, classes: ['a', 'b', 'c'] };
}

describe.skipIf(!has)('native batch preparation', () => {
  const calls: number[] = [];
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    const addon = native.ok ? native.addon : (null as never);
    // Counts the background preparations (rows per call) while passing them to the real addon.
    const counting: OneDnnAddon = {
      ...addon,
      gatherToFloat: (src, rows, rowBytes, scale, out) => {
        calls.push(rows.length);
        return addon.gatherToFloat!(src, rows, rowBytes, scale, out);
      },
    };
    registerOneDnnKernels(counting);
  });
  afterAll(() => unregisterOneDnnKernels());

  it('gives the JS conversion bit for bit, unit and symmetric, rows in any order with repeats', async () => {
    expect(gatherRunsInBackground()).toBe(true);
    const d = dataset(37, 5, 3, 1);
    const rowBytes = 5 * 5 * 3;
    const rows = Int32Array.from([36, 0, 5, 5, 17, 0, 36]);
    for (const norm of ['unit', 'symmetric'] as const) {
      const ours = await gatherToFloat(d.x, rows, rowBytes, norm);
      expect(ours).toEqual(gatherToFloatSync(d.x, rows, rowBytes, norm));
      // …which is what the training input conversion gives for those rows.
      const bytes = new Uint8Array(rows.length * rowBytes);
      rows.forEach((r, i) => bytes.set(d.x.subarray(r * rowBytes, (r + 1) * rowBytes), i * rowBytes));
      const t = toInputTensor(bytes, rows.length, 5, 3, norm);
      expect(ours).toEqual(new Float32Array(await t.data()));
      t.dispose();
    }
  });

  it('refuses a row past the end of the dataset (the promise fails; nothing is read out of bounds)', async () => {
    const d = dataset(4, 3, 1, 2);
    await expect(gatherToFloat(d.x, Int32Array.from([0, 4]), 9, 'unit')).rejects.toThrow(/out of range/);
    await expect(gatherToFloat(d.x, Int32Array.from([-1]), 9, 'unit')).rejects.toThrow(/out of range/);
  });

  it('the training source gives the same batches and prepares the next one while the current one is used', async () => {
    const d = dataset(70, 6, 1, 3);
    const cfg = { batchSize: 16, seed: 4 };
    const src = new ImageBatches(d, cfg, 'symmetric', false);
    expect(src.batchesPerEpoch).toBe(5);
    src.beginEpoch(1);
    calls.length = 0;
    const first = await src.batch(0);
    // Batch 0 was prepared on asking, batch 1 started before batch 0 was handed out.
    expect(calls).toEqual([16, 16]);
    const rows: number[] = [];
    for (let b = 0; b < src.batchesPerEpoch; b++) {
      const batch = b === 0 ? first : await src.batch(b);
      const x = await batch.x.data();
      const y = await batch.y.argMax(-1).data();
      // Each image of the batch is a row of the dataset, converted exactly, with its label.
      for (let i = 0; i < batch.n; i++) {
        const img = x.subarray(i * 36, (i + 1) * 36);
        const row = [...Array(70).keys()].find((r) => gatherToFloatSync(d.x, [r], 36, 'symmetric').every((v, k) => v === img[k]));
        expect(row, `batch ${b} image ${i}`).toBeDefined();
        expect(y[i]).toBe(d.y[row!]);
        rows.push(row!);
      }
      batch.x.dispose();
      batch.y.dispose();
    }
    // One epoch: every image once; the last (partial) batch prepared nothing beyond itself.
    expect(rows.sort((a, b) => a - b)).toEqual([...Array(70).keys()]);
    expect(calls).toEqual([16, 16, 16, 16, 6]);
  });
});
