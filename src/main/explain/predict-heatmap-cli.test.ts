/**
 * `lab predict --heatmap`: overlays of where the model looked, written to the workspace (or --out), never
 * next to the user's images; the heat shows on the patch that decides the class.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli/test-support';
import { PATCH, PLACES, SIZE, synthetic } from './test-support/patch-task';
import { exportPatchCnn, PATCH_CLASSES as CLASSES } from './test-support/patch-export';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(os.tmpdir(), 'lab-heatmap-cli-'));
const images = path.join(root, 'images');
const exported = path.join(root, 'model');

beforeAll(async () => {
  process.env.LAB_HOME = path.join(root, 'home');
  await exportPatchCnn(exported);
  mkdirSync(images);
  const test = synthetic(4, 5);
  const pixels = Uint8Array.from(await test.x.data(), (v) => Math.round(v * 255));
  for (let i = 0; i < 4; i++) {
    const one = pixels.subarray(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
    await sharp(one, { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toFile(path.join(images, `${CLASSES[test.labels[i]]}-${i}.png`));
  }
}, 300_000);
afterEach(() => vi.restoreAllMocks());

/** Mean colourfulness (max − min channel) over a patch place of a 224-px overlay: the input is grey, so colour is heat. */
async function colour(file: string, place: [number, number]): Promise<number> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const scale = info.width / SIZE;
  let sum = 0;
  let n = 0;
  for (let r = Math.floor(place[0] * scale); r < Math.floor((place[0] + PATCH) * scale); r++) {
    for (let c = Math.floor(place[1] * scale); c < Math.floor((place[1] + PATCH) * scale); c++) {
      const p = (r * info.width + c) * info.channels;
      sum += Math.max(data[p], data[p + 1], data[p + 2]) - Math.min(data[p], data[p + 1], data[p + 2]);
      n++;
    }
  }
  return sum / n;
}

describe('lab predict --heatmap', () => {
  it('writes one overlay per image in a new workspace folder, coloured on the deciding patch, and nothing next to the images', async () => {
    const r = await runCli(['predict', exported, images, '--heatmap', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(images).sort()).toEqual(['bottom-right-1.png', 'bottom-right-3.png', 'top-left-0.png', 'top-left-2.png']);
    const dir = path.join(root, 'home', 'heatmaps');
    const [run] = readdirSync(dir);
    const files = readdirSync(path.join(dir, run)).sort();
    expect(files).toEqual(['bottom-right-1.heatmap.png', 'bottom-right-3.heatmap.png', 'top-left-0.heatmap.png', 'top-left-2.heatmap.png']);
    for (const f of files) {
      const cls = CLASSES.findIndex((c) => f.startsWith(c));
      const file = path.join(dir, run, f);
      expect(await colour(file, PLACES[cls]), f).toBeGreaterThan((await colour(file, PLACES[1 - cls])) + 40);
    }
    const results = r.lines.filter((l) => l.type === 'result') as unknown as { prediction: { heatmap: { label: string; layer: string; overlay: string } } }[];
    expect(results.map((x) => x.prediction.heatmap.layer)).toEqual(['block2_act', 'block2_act', 'block2_act', 'block2_act']);
    expect(results.every((x) => x.prediction.heatmap.overlay.startsWith(path.join(dir, run)))).toBe(true);
  }, 120_000);

  it('--out: the folder given; a second run never overwrites; --out alone is a usage error', async () => {
    const out = path.join(root, 'mine');
    for (let i = 0; i < 2; i++) expect((await runCli(['predict', exported, path.join(images, 'top-left-0.png'), '--heatmap', '--out', out])).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['top-left-0-2.heatmap.png', 'top-left-0.heatmap.png']);
    const bad = await runCli(['predict', exported, images, '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--heatmap');
  }, 60_000);
});
