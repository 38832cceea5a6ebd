import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputConfig } from '../../shared/config';
import { decodeForModel, importDataset, loadSplit, resolveSampleImage } from './index';
import { decodePngFast } from './png-fast';
import { preprocess } from './preprocess';
import { distinct, image, put, tempDir, tempWorkspace } from './test-fixtures';

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];

/** 16×8: columns 0–3 red, 4–11 green, 12–15 blue. */
const stripes = (): Promise<Buffer> => image(16, 8, (x) => (x < 4 ? RED : x < 12 ? GREEN : BLUE));

function pixel(data: Uint8Array, size: number, x: number, y: number, channels = 3): number[] {
  const at = (y * size + x) * channels;
  return Array.from(data.subarray(at, at + channels));
}

/** Dominant colour name of a pixel, for behaviour that survives resampling. */
function colour([r, g, b]: number[]): string {
  if (r! > 150 && g! < 100 && b! < 100) return 'red';
  if (g! > 150 && r! < 100 && b! < 100) return 'green';
  if (b! > 150 && r! < 100 && g! < 100) return 'blue';
  if (r! < 20 && g! < 20 && b! < 20) return 'black';
  return 'mixed';
}

describe('preprocessing for each fit', () => {
  it('squash stretches the whole image into the square', async () => {
    const out = await decodeForModel(await stripes(), { size: 8, channels: 3, fit: 'squash' });
    expect(out).toHaveLength(8 * 8 * 3);
    for (let y = 0; y < 8; y++) {
      expect(colour(pixel(out, 8, 0, y))).toBe('red');
      expect(colour(pixel(out, 8, 4, y))).toBe('green');
      expect(colour(pixel(out, 8, 7, y))).toBe('blue');
    }
  });

  it('crop keeps the centre square at scale 1: exactly the green middle', async () => {
    const out = await decodeForModel(await stripes(), { size: 8, channels: 3, fit: 'crop' });
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(pixel(out, 8, x, y)).toEqual(GREEN);
  });

  it('letterbox fits the whole image and pads with black bars', async () => {
    const white = await image(16, 8, () => 255);
    const out = await decodeForModel(white, { size: 8, channels: 1, fit: 'letterbox' });
    const rows = Array.from({ length: 8 }, (_, y) => Array.from(out.subarray(y * 8, y * 8 + 8)));
    expect(rows.slice(0, 2).flat().every((v) => v === 0)).toBe(true);
    expect(rows.slice(2, 6).flat().every((v) => v === 255)).toBe(true);
    expect(rows.slice(6).flat().every((v) => v === 0)).toBe(true);
    const colourOut = await decodeForModel(await stripes(), { size: 8, channels: 3, fit: 'letterbox' });
    expect(colour(pixel(colourOut, 8, 0, 0))).toBe('black');
    expect(colour(pixel(colourOut, 8, 0, 3))).toBe('red');
    expect(colour(pixel(colourOut, 8, 7, 4))).toBe('blue');
  });

  it('converts to greyscale and back to three equal channels', async () => {
    const grey = await image(8, 8, (x) => (x < 4 ? 0 : 200));
    const one = await decodeForModel(grey, { size: 8, channels: 1, fit: 'squash' });
    expect(Array.from(one.subarray(0, 8))).toEqual([0, 0, 0, 0, 200, 200, 200, 200]);
    const three = await decodeForModel(grey, { size: 8, channels: 3, fit: 'squash' });
    expect(pixel(three, 8, 5, 0)).toEqual([200, 200, 200]);
  });

  it('applies the EXIF orientation before resizing', async () => {
    // Stored 16×8 left-white/right-black, tagged "rotate 90° clockwise": shown 8×16 top-white/bottom-black.
    const stored = await sharp(Buffer.from(await image(16, 8, (x) => (x < 8 ? 255 : 0), 'png')))
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(stored).metadata()).orientation).toBe(6);
    const out = await decodeForModel(stored, { size: 8, channels: 1, fit: 'squash' });
    const top = out.subarray(0, 16).reduce((a, b) => a + b, 0) / 16;
    const bottom = out.subarray(48, 64).reduce((a, b) => a + b, 0) / 16;
    expect(top).toBeGreaterThan(200);
    expect(bottom).toBeLessThan(55);
  });

  it('names the file it cannot read', async () => {
    await expect(decodeForModel('/no/such/image.png', { size: 8, channels: 1, fit: 'squash' })).rejects.toMatchObject({ code: 'UNREADABLE', message: expect.stringContaining('/no/such/image.png') });
    await expect(decodeForModel(Buffer.from('not an image'), { size: 8, channels: 1, fit: 'squash' })).rejects.toMatchObject({ code: 'UNREADABLE' });
  });
});

describe('the PNG fast path gives exactly the pixels of the sharp path', () => {
  const data = tempDir('png');
  afterAll(data.cleanup);
  const noise = (x: number, y: number): number[] => [(x * 53 + y * 97) % 256, (x * x + y * 31) % 256, (x * 7 + y * y * 3) % 256];
  const variants: [string, () => Promise<Buffer>][] = [
    ['grey', () => sharp(Buffer.from(Array.from({ length: 16 * 12 }, (_, i) => (i * 37) % 256)), { raw: { width: 16, height: 12, channels: 1 } }).png().toBuffer()],
    ['grey+alpha', () => sharp(Buffer.from(Array.from({ length: 16 * 12 * 2 }, (_, i) => (i * 29) % 256)), { raw: { width: 16, height: 12, channels: 2 } }).png().toBuffer()],
    ['rgb', () => image(12, 16, noise)],
    ['rgba', () => sharp(Buffer.from(Array.from({ length: 12 * 12 * 4 }, (_, i) => (i * 13) % 256)), { raw: { width: 12, height: 12, channels: 4 } }).png().toBuffer()],
    ['palette', () => image(16, 16, (x, y) => [x * 16, y * 16, (x * y) % 256]).then((b) => sharp(b).png({ palette: true, colours: 256, dither: 0 }).toBuffer())],
  ];
  const inputs: InputConfig[] = [
    { size: 12, channels: 1, fit: 'squash' },
    { size: 12, channels: 3, fit: 'squash' },
    { size: 8, channels: 3, fit: 'crop' },
    { size: 8, channels: 1, fit: 'letterbox' },
  ];
  for (const [name, make] of variants) {
    it(`${name} PNG`, async () => {
      const buf = await make();
      const fast = decodePngFast(buf);
      expect(fast).not.toBeNull();
      const ref = await sharp(buf).raw().toBuffer({ resolveWithObject: true });
      expect(fast!.channels).toBe(ref.info.channels);
      expect(Buffer.from(fast!.data)).toEqual(ref.data);
      const file = path.join(data.dir, `${name}.png`);
      await put(file, buf);
      for (const input of inputs) {
        const viaSharp = await preprocess(file, input); // a path goes straight to sharp
        const viaFast = await preprocess(buf, input);
        expect(Buffer.from(viaFast), `${name} ${JSON.stringify(input)}`).toEqual(Buffer.from(viaSharp));
      }
    });
  }
});

it('leaves PNGs it does not handle (here 4-bit palette) to sharp', async () => {
  const small = await image(16, 16, (x) => [x * 16, 0, 0]).then((b) => sharp(b).png({ palette: true, colours: 8 }).toBuffer());
  expect(decodePngFast(small)).toBeNull();
  const out = await decodeForModel(small, { size: 8, channels: 3, fit: 'squash' });
  expect(out).toHaveLength(192);
});

describe('decoded cache', () => {
  const data = tempDir('cache');
  const work = tempWorkspace();
  afterAll(() => {
    work.cleanup();
    data.cleanup();
  });

  it('holds, for every split and fit, exactly what decodeForModel gives, with labels in sorted class order', async () => {
    for (let i = 0; i < 8; i++) {
      await put(path.join(data.dir, 'zebra', `${i}.png`), await distinct(0, i));
      await put(path.join(data.dir, 'ant', `${i}.jpg`), await distinct(1, i, 'jpeg'));
    }
    await put(path.join(data.dir, 'ant', 'wide.png'), await stripes());
    const input: InputConfig = { size: 8, channels: 3, fit: 'crop' };
    const s = await importDataset(work.ws, { paths: [data.dir], split: { val: 0.2, test: 0.2, seed: 4 } }, { input });
    let seen = 0;
    for (const fit of ['squash', 'crop', 'letterbox'] as const) {
      const cfg = { ...input, fit };
      for (const split of ['train', 'val', 'test'] as const) {
        const arr = await loadSplit(work.ws, s.id, cfg, split);
        expect(arr.classes).toEqual(['ant', 'zebra']);
        expect(arr.n).toBe(s.classes.reduce((n, c) => n + c.counts[split], 0));
        for (let k = 0; k < arr.n; k++) {
          const page = (await import('./index')).querySamples;
          const item = (await page(work.ws, { datasetId: s.id, offset: arr.index[k]!, limit: 1 })).items[0]!;
          expect(arr.classes[arr.y[k]!]).toBe(item.className);
          const expected = await decodeForModel(item.path, cfg);
          expect(Buffer.from(arr.x.subarray(k * 192, (k + 1) * 192))).toEqual(Buffer.from(expected));
          seen++;
        }
      }
    }
    expect(seen).toBe(3 * 17);
    const crop = await loadSplit(work.ws, s.id, input, 'train');
    const all = [crop, await loadSplit(work.ws, s.id, input, 'val'), await loadSplit(work.ws, s.id, input, 'test')];
    const wide = all.flatMap((a) => Array.from(a.index).map((idx, k) => ({ a, k, idx }))).find(({ a, k }) => a.classes[a.y[k]!] === 'ant' && colour(pixel(a.x.subarray(k * 192), 8, 0, 0)) === 'green');
    expect(wide, 'the 16×8 stripes image, centre-cropped, is all green').toBeDefined();
  });

  it('builds a new size once when several splits ask for it at the same time', async () => {
    const { listDatasets } = await import('./index');
    const [ds] = await listDatasets(work.ws);
    const cfg: InputConfig = { size: 10, channels: 1, fit: 'letterbox' };
    const [train, val, test] = await Promise.all((['train', 'val', 'test'] as const).map((sp) => loadSplit(work.ws, ds!.id, cfg, sp)));
    expect(train!.n + val!.n + test!.n).toBe(ds!.images);
    expect(train!.x).toHaveLength(train!.n * 100);
  });

  it('serves thumbnails and originals by index only', async () => {
    const s = (await import('./index')).listDatasets;
    const [ds] = await s(work.ws);
    const thumb = await resolveSampleImage(work.ws, ds!.id, 0, 'thumb');
    expect(thumb.contentType).toBe('image/webp');
    expect((await sharp(thumb.data).metadata()).width).toBeLessThanOrEqual(96);
    const full = await resolveSampleImage(work.ws, ds!.id, 0, 'full');
    expect(['image/jpeg', 'image/png']).toContain(full.contentType);
    await expect(resolveSampleImage(work.ws, ds!.id, 9999, 'full')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(resolveSampleImage(work.ws, '../../etc', 0, 'full')).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
