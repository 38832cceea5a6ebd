/**
 * Known camera frames for Chromium's fake camera (--use-file-for-fake-video-capture): YUV4MPEG2 files of a few
 * synthetic frames, written at test time. Each scene is one clearly different object that moves a little from frame
 * to frame, the way an object held up to a camera does.
 */
import { writeFileSync } from 'node:fs';

export type Rgb = [number, number, number];
/** Whether pixel (x, y) of frame k belongs to the object; everything else is the background. */
export type Shape = (x: number, y: number, k: number, w: number, h: number) => boolean;

export interface Scene {
  shape: Shape;
  colour: Rgb;
  background: Rgb;
}

/** A disc on the left, drifting a little. */
export const discLeft: Shape = (x, y, k, w, h) => (x - w * 0.3 - (k % 4)) ** 2 + (y - h * 0.5 + (k % 3)) ** 2 < (h * 0.22) ** 2;
/** A tall bar on the right, drifting a little. */
export const barRight: Shape = (x, y, k, w, h) => Math.abs(x - w * 0.72 - (k % 3)) < w * 0.07 && Math.abs(y - h * 0.5 - (k % 4)) < h * 0.38;

function yuv([r, g, b]: Rgb): [number, number, number] {
  // BT.601, limited range (what a camera delivers and Chromium expects).
  const R = r / 255, G = g / 255, B = b / 255;
  return [16 + 65.481 * R + 128.553 * G + 24.966 * B, 128 - 37.797 * R - 74.203 * G + 112 * B, 128 + 112 * R - 93.786 * G - 18.214 * B].map((v) => Math.max(0, Math.min(255, Math.round(v)))) as [number, number, number];
}

/** Write `frames` frames of the scene at `fps` as a 4:2:0 YUV4MPEG2 file (Chromium loops it). */
export function writeY4m(file: string, scene: Scene, opts: { width?: number; height?: number; frames?: number; fps?: number } = {}): string {
  const w = opts.width ?? 160;
  const h = opts.height ?? 120;
  const frames = opts.frames ?? 12;
  const fps = opts.fps ?? 10;
  const fg = yuv(scene.colour);
  const bg = yuv(scene.background);
  const header = Buffer.from(`YUV4MPEG2 W${w} H${h} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const frameHeader = Buffer.from('FRAME\n', 'ascii');
  const cw = w / 2, ch = h / 2;
  const parts: Buffer[] = [header];
  for (let k = 0; k < frames; k++) {
    const Y = Buffer.alloc(w * h);
    const U = Buffer.alloc(cw * ch);
    const V = Buffer.alloc(cw * ch);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) Y[y * w + x] = (scene.shape(x, y, k, w, h) ? fg : bg)[0];
    for (let y = 0; y < ch; y++)
      for (let x = 0; x < cw; x++) {
        const c = scene.shape(2 * x + 0.5, 2 * y + 0.5, k, w, h) ? fg : bg;
        U[y * cw + x] = c[1];
        V[y * cw + x] = c[2];
      }
    parts.push(frameHeader, Y, U, V);
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}
