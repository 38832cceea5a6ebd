import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export const E2E_DATA = path.resolve('.lab-home/e2e-data');
export const SHAPES_DIR = path.join(E2E_DATA, 'shapes');
const SIZE = 16;

type Painter = (x: number, y: number, k: number) => boolean;
const PAINTERS: Record<string, Painter> = {
  // Three visually distinct classes, each image a little different, so a tiny CNN learns them in an epoch or two.
  circle: (x, y, k) => (x - 7.5 - (k % 3) + 1) ** 2 + (y - 7.5) ** 2 < 20 + (k % 4) * 3,
  square: (x, y, k) => Math.abs(x - 7.5) < 4 + (k % 3) && Math.abs(y - 7.5 + (k % 2)) < 4 + (k % 3),
  stripes: (x, _y, k) => (x + k) % 4 < 2,
};

/** A tiny three-class dataset of 16×16 PNGs, written once outside the repo's tracked files. */
export async function ensureShapesDataset(perClass = 16): Promise<string> {
  if (existsSync(path.join(SHAPES_DIR, 'stripes', `${perClass - 1}.png`))) return SHAPES_DIR;
  for (const [name, paint] of Object.entries(PAINTERS)) {
    const dir = path.join(SHAPES_DIR, name);
    mkdirSync(dir, { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const px = Buffer.alloc(SIZE * SIZE * 3);
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++) {
          const on = paint(x, y, k);
          const i = (y * SIZE + x) * 3;
          px[i] = on ? 230 : 20 + k;
          px[i + 1] = on ? 200 - k * 3 : 30;
          px[i + 2] = on ? 40 : 60;
        }
      await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toFile(path.join(dir, `${k}.png`));
    }
  }
  return SHAPES_DIR;
}
