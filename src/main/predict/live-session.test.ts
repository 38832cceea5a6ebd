/**
 * The live page's engine side: a held model answers frames (encoded bytes) with probabilities that name the
 * class, a heatmap when asked, a per-image error for bytes that are not an image, and heatmaps of inputs by key.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../shared/errors';
import { massOnPatch, SIZE, synthetic } from '../explain/test-support/patch-task';
import { exportPatchCnn, PATCH_CLASSES as CLASSES } from '../explain/test-support/patch-export';
import { openWorkspace } from '../workspace';
import { LiveSession } from './live-session';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(os.tmpdir(), 'lab-live-'));
const exported = path.join(root, 'model');
let frames: { png: Buffer; pixels: Uint8Array; label: number }[] = [];

beforeAll(async () => {
  await exportPatchCnn(exported);
  const test = synthetic(4, 5);
  const all = Uint8Array.from(await test.x.data(), (v) => Math.round(v * 255));
  tf.dispose([test.x, test.y]);
  frames = await Promise.all(
    test.labels.map(async (label, i) => {
      const pixels = all.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
      // A camera frame is bigger than the model input: the engine resizes it as in training.
      const png = await sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 1 } }).resize(96, 96, { kernel: 'nearest' }).jpeg({ quality: 95 }).toBuffer();
      return { png, pixels, label };
    }),
  );
}, 300_000);

describe('live session', () => {
  it('opens a model once and names the class of each frame; heatmaps fall on the deciding patch', async () => {
    const live = new LiveSession(openWorkspace(path.join(root, 'home')));
    const info = await live.open(exported);
    expect(info).toMatchObject({ labels: CLASSES, input: { size: SIZE, channels: 1 }, heatmap: true });
    for (const f of frames) {
      const out = await live.predict(exported, f.png);
      expect(out.probabilities).toHaveLength(2);
      expect(out.probabilities.indexOf(Math.max(...out.probabilities))).toBe(f.label);
      expect(out.engineMs).toBeGreaterThan(0);
      expect(out.heatmap).toBeUndefined();
    }
    const withHeat = await live.predict(exported, frames[0]!.png, { heatmap: true });
    expect(withHeat.heatmap?.label).toBe(CLASSES[frames[0]!.label]);
    expect(withHeat.heatmap?.heat).toMatch(/^data:image\/png;base64,/);
    expect(withHeat.preview).toMatch(/^data:image\/png;base64,/);
    // The heat PNG's alpha is the heat: most of it lies on the class's patch.
    const heatPng = Buffer.from(withHeat.heatmap!.heat.split(',')[1]!, 'base64');
    const { data, info: im } = await sharp(heatPng).resize(SIZE, SIZE).raw().toBuffer({ resolveWithObject: true });
    const alpha = Float32Array.from({ length: SIZE * SIZE }, (_, p) => data[p * im.channels + 3]! / 255);
    expect(massOnPatch(alpha, frames[0]!.label, 3)).toBeGreaterThan(0.5);
    expect(await live.release()).toBe(true);
    expect(await live.release()).toBe(false);
  });

  it('refuses bytes that are not an image with a message, and keeps answering the next frame', async () => {
    const live = new LiveSession(openWorkspace(path.join(root, 'home')));
    await expect(live.predict(exported, Buffer.from('not a picture'))).rejects.toMatchObject({ code: 'UNREADABLE' });
    const out = await live.predict(exported, frames[1]!.png);
    expect(out.probabilities.indexOf(Math.max(...out.probabilities))).toBe(frames[1]!.label);
    await live.release();
  });

  it('explains inputs by key for the class asked (or the top class), with a per-image error', async () => {
    const live = new LiveSession(openWorkspace(path.join(root, 'home')));
    const items = [{ key: 0, label: CLASSES[1] }, { key: 1 }, { key: 99 }];
    const out = await live.explain(exported, items, async (key) => {
      if (key === 99) throw new LabError('NOT_FOUND', 'gone');
      return frames[key]!.pixels;
    });
    expect(out[0]).toMatchObject({ key: 0, heatmap: { label: CLASSES[1] } });
    expect(out[0]!.preview).toMatch(/^data:image\/png/);
    expect(out[1]).toMatchObject({ key: 1, heatmap: { label: CLASSES[frames[1]!.label] } });
    expect(out[2]).toMatchObject({ key: 99, error: { code: 'NOT_FOUND', message: 'gone' } });
    await live.release();
  });
});
