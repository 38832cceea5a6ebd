/** Helpers for the datasets tests: tiny generated images, temp folders and a tree fingerprint. Not used at run time. */
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, lstatSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { openWorkspace, type Workspace } from '../workspace';
import type { SplitOnDisk } from './split-on-disk';

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lab-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function tempWorkspace(): { ws: Workspace; cleanup(): void } {
  const t = tempDir('ws');
  return { ws: openWorkspace(t.dir), cleanup: t.cleanup };
}

/** A w×h image whose pixel (x, y) is f(x, y) = [r, g, b] (or a single grey value). */
export async function image(w: number, h: number, f: (x: number, y: number) => number[] | number, format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' = 'png'): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = f(x, y);
      const rgb = typeof v === 'number' ? [v, v, v] : v;
      data.set(rgb.slice(0, 3), (y * w + x) * 3);
    }
  }
  const s = sharp(data, { raw: { width: w, height: h, channels: 3 } });
  if (format === 'jpeg') return s.jpeg({ quality: 95 }).toBuffer();
  if (format === 'webp') return s.webp({ lossless: true }).toBuffer();
  if (format === 'gif') return s.gif().toBuffer();
  if (format === 'tiff') return s.tiff().toBuffer();
  return s.png().toBuffer();
}

/** A distinct 16×16 image per (class, i): no two generated images are identical. */
export function distinct(classIndex: number, i: number, format: 'png' | 'jpeg' | 'webp' | 'gif' = 'png'): Promise<Buffer> {
  return image(16, 16, (x, y) => [(i * 37 + x * 3) % 256, (classIndex * 90 + y * 5) % 256, (i * 11 + classIndex * 50) % 256], format);
}

function chunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const tb = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(tb) >>> 0);
  return Buffer.concat([len, tb, crc]);
}

/** A valid-looking PNG that claims w×h pixels with only a few bytes of data: a decompression bomb. */
export function bombPng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // depth
  ihdr[9] = 0; // grey
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

export async function put(file: string, data: Buffer | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
}

/** Every entry under dir with its type, mode, size, mtime and content hash (links by target): equal before/after = untouched. */
/**
 * Grey 12 × 12 class folders that a tiny model can tell apart: "bright" (a ramp), "dark" (stripes), "mid" (a
 * diagonal pattern); `perClass` PNGs each under `dir/<class>/`.
 */
export async function putGreyClasses(dir: string, classes: ('bright' | 'dark' | 'mid')[], perClass: number): Promise<void> {
  const pattern = {
    bright: (i: number) => (x: number) => 150 + ((x * 9 + i * 5) % 100),
    dark: (i: number) => (_x: number, y: number) => ((y + i) % 3 ? 20 : 90),
    mid: (i: number) => (x: number, y: number) => 90 + ((x + y + i) % 4) * 15,
  };
  for (let i = 0; i < perClass; i++) {
    for (const c of classes) {
      const grey = pattern[c](i);
      await put(path.join(dir, c, `${i}.png`), await image(12, 12, (x, y) => { const v = grey(x, y); return [v, v, v]; }));
    }
  }
}

export function treeFingerprint(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(p)} ${st.mtimeMs}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${st.mode} ${st.mtimeMs}`);
        visit(p);
      } else {
        let hash = 'unreadable';
        try {
          hash = createHash('sha1').update(readFileSync(p)).digest('hex');
        } catch {
          // chmod 000 as non-root
        }
        out.set(rel, `file ${st.mode} ${st.size} ${st.mtimeMs} ${hash}`);
      }
    }
  };
  out.set('.', `dir ${lstatSync(dir).mode} ${lstatSync(dir).mtimeMs}`);
  visit(dir);
  return out;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A decoded cache of n pseudo-random 8 × 8 grey images written directly into `dir`, as a split of two classes. */
export function syntheticSplitOnDisk(dir: string, n: number): SplitOnDisk {
  const rowBytes = 64;
  const file = path.join(dir, `cache-${n}.u8`);
  const fd = openSync(file, 'w');
  writeSync(fd, Uint8Array.from({ length: n * rowBytes }, (_, i) => (i * 2654435761) >>> 24));
  closeSync(fd);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  return { file, rows, index: rows, y: Int32Array.from(rows, (i) => i % 2), n, size: 8, channels: 1, classes: ['a', 'b'], rowBytes };
}
