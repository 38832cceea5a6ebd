import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { colourModel, PRE8, tinyCnn } from '../export/test-support/tiny-models';
import { onnxForward, tfjsForward } from './batch-forward';
import type { Prediction } from '../../shared/dto';
import { predictImages } from './predict-images';
import { labelsFromPredictions, predictionsToCsv } from '../../shared/predictions-csv';

const LABELS = ['red', 'green', 'blue'];

async function solid(file: string, r: number, g: number, b: number): Promise<string> {
  await sharp({ create: { width: 10, height: 10, channels: 3, background: { r, g, b } } }).png().toFile(file);
  return file;
}

describe('predictImages', () => {
  it('expands folders, ranks classes, and reports unreadable or missing files per file', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-predict-'));
    mkdirSync(path.join(root, 'batch', 'sub'), { recursive: true });
    await solid(path.join(root, 'batch', 'a-red.png'), 240, 10, 10);
    await solid(path.join(root, 'batch', 'sub', 'b-blue.jpg'), 10, 10, 240);
    writeFileSync(path.join(root, 'batch', 'c-broken.png'), 'not an image');
    writeFileSync(path.join(root, 'batch', 'notes.txt'), 'ignored');
    const single = await solid(path.join(root, 'green.webp'), 10, 240, 10);
    const preds = await predictImages(colourModel(), LABELS, PRE8, [path.join(root, 'batch'), single, path.join(root, 'missing.png')], { topK: 2 });
    expect(preds.map((p) => path.basename(p.path))).toEqual(['a-red.png', 'c-broken.png', 'b-blue.jpg', 'green.webp', 'missing.png']);
    const [red, broken, blue, green, missing] = preds;
    expect(red.top.map((t) => t.label)).toEqual(['red', expect.any(String)]);
    expect(blue.top[0].label).toBe('blue');
    expect(green.top[0].label).toBe('green');
    expect(green.probabilities).toHaveLength(3);
    expect(green.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(broken.error?.message).toContain('c-broken.png');
    expect(broken.top).toEqual([]);
    expect(missing.error).toMatchObject({ code: 'NOT_FOUND' });
    // With topK ≥ classes the label order can be recovered on the far side of the API (lab predict --csv).
    const full = await predictImages(colourModel(), LABELS, PRE8, [single], { topK: 3 });
    expect(labelsFromPredictions(full)).toEqual(LABELS);
    expect(labelsFromPredictions(preds)).toBeNull();
  });

  it('labels a folder in batches with progress after each image, and stops when cancelled', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-predict-many-'));
    const colours: [number, number, number][] = [[230, 20, 20], [20, 230, 20], [20, 20, 230]];
    await Promise.all(Array.from({ length: 45 }, (_, i) => solid(path.join(root, `${String(i).padStart(2, '0')}.png`), ...colours[i % 3])));
    const seen: number[] = [];
    const streamed: string[][] = [];
    const preds = await predictImages(colourModel(), LABELS, PRE8, [root], {
      topK: 1,
      batchSize: 8,
      onProgress: (done, total) => (expect(total).toBe(45), seen.push(done)),
      // Each batch arrives classified, before the call answers.
      onResults: (finished) => streamed.push(finished.map((p) => p.top[0]?.label ?? 'none')),
    });
    expect(preds.map((p) => p.top[0].label)).toEqual(Array.from({ length: 45 }, (_, i) => LABELS[i % 3]));
    expect(streamed.map((b) => b.length)).toEqual([8, 8, 8, 8, 8, 5]);
    expect(streamed.flat()).toEqual(preds.map((p) => p.top[0].label));
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(45);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const stop = new AbortController();
    const cancelled = predictImages(colourModel(), LABELS, PRE8, [root], { topK: 1, batchSize: 4, signal: stop.signal, onProgress: (done) => done === 10 && stop.abort() });
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('runs a folder through the model in full batches (only the last one partial), not many small ones', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-predict-full-'));
    const colours: [number, number, number][] = [[230, 20, 20], [20, 230, 20], [20, 20, 230]];
    await Promise.all(Array.from({ length: 70 }, (_, i) => solid(path.join(root, `${String(i).padStart(2, '0')}.png`), ...colours[i % 3])));
    const model = colourModel();
    const inner = tfjsForward(model, PRE8);
    const sizes: number[] = [];
    const forward = Object.assign((x: Float32Array, n: number) => (sizes.push(n), inner(x, n)), { engine: inner.engine });
    const preds = await predictImages(model, LABELS, PRE8, [root], { topK: 1, batchSize: 16, forward });
    expect(preds.map((p) => p.top[0].label)).toEqual(Array.from({ length: 70 }, (_, i) => LABELS[i % 3]));
    expect(sizes).toEqual([16, 16, 16, 16, 6]);
  });

  it('answers the same with onnxruntime (the lab\'s ONNX conversion) as with tfjs', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-predict-engines-'));
    const files = await Promise.all([[200, 60, 40], [50, 180, 90], [30, 70, 220]].map(([r, g, b], i) => solid(path.join(root, `${i}.png`), r, g, b)));
    const model = tinyCnn();
    const fast = await onnxForward(model, PRE8);
    expect(fast?.engine).toBe('onnxruntime');
    const a = await predictImages(model, ['a', 'b', 'c'], PRE8, files, { topK: 3, forward: fast! });
    const b = await predictImages(model, ['a', 'b', 'c'], PRE8, files, { topK: 3, forward: tfjsForward(model, PRE8) });
    a.forEach((p, i) => p.probabilities!.forEach((v, k) => expect(Math.abs(v - b[i].probabilities![k])).toBeLessThan(1e-4)));
  });

  it('five-crop test-time averaging changes probabilities on a non-uniform image but keeps them a distribution', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-predict-'));
    const w = 16;
    const data = Buffer.alloc(w * w * 3);
    for (let i = 0; i < w * w; i++) data[i * 3 + (i % w < 8 ? 0 : 2)] = 255; // left half red, right half blue
    const file = path.join(root, 'split.png');
    await sharp(data, { raw: { width: w, height: w, channels: 3 } }).png().toFile(file);
    const model = colourModel();
    const [plain] = await predictImages(model, LABELS, PRE8, [file], { topK: 3 });
    const [multi] = await predictImages(model, LABELS, PRE8, [file], { topK: 3, multiCrop: true, preview: true });
    // The preview is the 8×8 input the model saw (squashed from 16×16).
    const png = Buffer.from(multi.preview!.replace('data:image/png;base64,', ''), 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ width: 8, height: 8 });
    expect(plain.preview).toBeUndefined();
    expect(multi.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(Math.max(...multi.probabilities!.map((p, i) => Math.abs(p - plain.probabilities![i])))).toBeGreaterThan(1e-3);
  });
});

describe('predictionsToCsv', () => {
  it('writes path, top-1, probability, every class and errors, quoting commas, quotes and newlines', () => {
    const preds: Prediction[] = [
      { path: '/img/a,b.png', top: [{ label: 'say "hi"', probability: 0.75 }], probabilities: [0.25, 0.75] },
      { path: '/img/bad.png', top: [], error: { code: 'UNREADABLE', message: 'Cannot read /img/bad.png:\nbroken' } },
    ];
    const csv = predictionsToCsv(preds, ['plain', 'say "hi"']);
    expect(csv.split('\r\n')[0]).toBe('path,top1,probability,plain,"say ""hi""",error');
    expect(csv).toContain('"/img/a,b.png","say ""hi""",0.75,0.25,0.75,\r\n');
    expect(csv).toContain('/img/bad.png,,,,,"Cannot read /img/bad.png:\nbroken"\r\n');
  });
});
