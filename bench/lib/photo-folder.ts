// A synthetic, photo-like folder for the transfer benchmark: colour JPEGs of 256–400 px, one subfolder per class.
// Each class is a kind of object (disc, square, triangle, ring, cross, stripes, checks, star, pentagon, hexagon,
// ellipse, dots, zigzag, arrow, target, half-disc) drawn at a random
// place, size, colour and rotation over a random two-colour gradient with blotches, so neither colour nor position
// gives the class away. Made once (seeded) and reused.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../../src/shared/random';

export const PHOTO_CLASSES = ['disc', 'square', 'triangle', 'ring', 'cross', 'stripes', 'checks', 'star', 'pentagon', 'hexagon', 'ellipse', 'dots', 'zigzag', 'arrow', 'target', 'half-disc'] as const;

const colour = (r: () => number): string => `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;

function shape(kind: (typeof PHOTO_CLASSES)[number], cx: number, cy: number, s: number, fill: string, r: () => number): string {
  const rot = Math.floor(r() * 360);
  const g = (inner: string) => `<g transform="rotate(${rot} ${cx} ${cy})">${inner}</g>`;
  switch (kind) {
    case 'disc':
      return `<circle cx="${cx}" cy="${cy}" r="${s / 2}" fill="${fill}"/>`;
    case 'square':
      return g(`<rect x="${cx - s / 2}" y="${cy - s / 2}" width="${s}" height="${s}" fill="${fill}"/>`);
    case 'triangle':
      return g(`<polygon points="${cx},${cy - s / 2} ${cx + s / 2},${cy + s / 2} ${cx - s / 2},${cy + s / 2}" fill="${fill}"/>`);
    case 'ring':
      return `<circle cx="${cx}" cy="${cy}" r="${s / 2.4}" fill="none" stroke="${fill}" stroke-width="${s / 7}"/>`;
    case 'cross':
      return g(`<rect x="${cx - s / 2}" y="${cy - s / 10}" width="${s}" height="${s / 5}" fill="${fill}"/><rect x="${cx - s / 10}" y="${cy - s / 2}" width="${s / 5}" height="${s}" fill="${fill}"/>`);
    case 'stripes':
      return g([0, 1, 2, 3].map((k) => `<rect x="${cx - s / 2}" y="${cy - s / 2 + (k * s) / 4}" width="${s}" height="${s / 9}" fill="${fill}"/>`).join(''));
    case 'checks': {
      const q = s / 4;
      const cells: string[] = [];
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if ((i + j) % 2 === 0) cells.push(`<rect x="${cx - s / 2 + i * q}" y="${cy - s / 2 + j * q}" width="${q}" height="${q}" fill="${fill}"/>`);
      return g(cells.join(''));
    }
    case 'pentagon':
    case 'hexagon': {
      const k = kind === 'pentagon' ? 5 : 6;
      const pts = Array.from({ length: k }, (_, i) => `${(cx + (s / 2) * Math.cos((2 * Math.PI * i) / k)).toFixed(1)},${(cy + (s / 2) * Math.sin((2 * Math.PI * i) / k)).toFixed(1)}`);
      return g(`<polygon points="${pts.join(' ')}" fill="${fill}"/>`);
    }
    case 'ellipse':
      return g(`<ellipse cx="${cx}" cy="${cy}" rx="${s / 2}" ry="${s / 5}" fill="${fill}"/>`);
    case 'dots':
      return g([-1, 0, 1].flatMap((i) => [-1, 1].map((j) => `<circle cx="${cx + (i * s) / 3}" cy="${cy + (j * s) / 4}" r="${s / 10}" fill="${fill}"/>`)).join(''));
    case 'zigzag': {
      const pts = Array.from({ length: 7 }, (_, i) => `${(cx - s / 2 + (i * s) / 6).toFixed(1)},${(cy + (i % 2 === 0 ? -s / 4 : s / 4)).toFixed(1)}`);
      return g(`<polyline points="${pts.join(' ')}" fill="none" stroke="${fill}" stroke-width="${s / 12}"/>`);
    }
    case 'arrow':
      return g(`<polygon points="${cx - s / 2},${cy - s / 10} ${cx},${cy - s / 10} ${cx},${cy - s / 3} ${cx + s / 2},${cy} ${cx},${cy + s / 3} ${cx},${cy + s / 10} ${cx - s / 2},${cy + s / 10}" fill="${fill}"/>`);
    case 'target':
      return `<circle cx="${cx}" cy="${cy}" r="${s / 2.4}" fill="none" stroke="${fill}" stroke-width="${s / 14}"/><circle cx="${cx}" cy="${cy}" r="${s / 8}" fill="${fill}"/>`;
    case 'half-disc':
      return g(`<path d="M ${cx - s / 2} ${cy} A ${s / 2} ${s / 2} 0 0 1 ${cx + s / 2} ${cy} Z" fill="${fill}"/>`);
    case 'star': {
      const pts: string[] = [];
      for (let k = 0; k < 10; k++) {
        const a = (Math.PI * k) / 5 - Math.PI / 2;
        const rad = k % 2 === 0 ? s / 2 : s / 5;
        pts.push(`${(cx + rad * Math.cos(a)).toFixed(1)},${(cy + rad * Math.sin(a)).toFixed(1)}`);
      }
      return g(`<polygon points="${pts.join(' ')}" fill="${fill}"/>`);
    }
  }
}

export async function photoImage(kind: (typeof PHOTO_CLASSES)[number], seed: number): Promise<Buffer> {
  const r = mulberry32(seed);
  const w = 256 + Math.floor(r() * 145);
  const h = 256 + Math.floor(r() * 145);
  const s = Math.min(w, h) * (0.35 + r() * 0.35);
  const cx = s / 2 + r() * (w - s);
  const cy = s / 2 + r() * (h - s);
  const blotches = Array.from({ length: 6 }, () => `<ellipse cx="${r() * w}" cy="${r() * h}" rx="${10 + r() * 60}" ry="${10 + r() * 60}" fill="${colour(r)}" opacity="0.35"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="bg" x1="0" y1="0" x2="${r().toFixed(2)}" y2="1"><stop offset="0" stop-color="${colour(r)}"/><stop offset="1" stop-color="${colour(r)}"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#bg)"/>${blotches}${shape(kind, cx, cy, s, colour(r), r)}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

/** Writes classes × perClass JPEGs under dir (once: an existing complete folder is reused). */
export async function ensurePhotoFolder(dir: string, perClass = 30, classes: number = PHOTO_CLASSES.length, seed = 7): Promise<string> {
  const kinds = PHOTO_CLASSES.slice(0, classes);
  const complete = kinds.every((k) => existsSync(path.join(dir, k)) && readdirSync(path.join(dir, k)).length === perClass);
  if (complete) return dir;
  for (const [c, kind] of kinds.entries()) {
    const sub = path.join(dir, kind);
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < perClass; i++) await sharp(await photoImage(kind, seed * 100003 + c * 1009 + i)).toFile(path.join(sub, `${i}.jpg`));
  }
  return dir;
}
