/**
 * Heatmaps as pictures: a colour ramp (blue → cyan → green → yellow → red) over what the model saw.
 * Two PNGs per image: the heat alone (RGBA, transparent where the heat is 0) for the UI to lay over the
 * image with its own opacity slider, and the two composited (for `lab predict --heatmap` and reports).
 */
import sharp from 'sharp';
import type { Preprocessing } from '../../shared/dto';
import { upsampleHeat, type CamResult } from './grad-cam';

const RAMP: [number, number, number][] = [
  [0, 0, 255],
  [0, 255, 255],
  [0, 255, 0],
  [255, 255, 0],
  [255, 0, 0],
];

/** The ramp's colour at heat h ∈ [0, 1]. */
export function heatColour(h: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, h)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/** Overlays are drawn at least this wide so that a 28-pixel input stays visible. */
const MIN_SIDE = 224;

export interface HeatmapImages {
  /** The heat alone as RGBA PNG (alpha ∝ heat). */
  heat: Buffer;
  /** The heat over the model's input, at the given opacity. */
  overlay: Buffer;
  side: number;
}

/**
 * `pixels` is the preprocessed input (size × size × channels, uint8) the model saw; the overlay has the same
 * framing (squash or centre crop as the model's preprocessing did it), scaled to ≥ 224 px.
 */
export async function heatmapImages(cam: CamResult, pixels: Uint8Array, pre: Preprocessing, opacity = 0.5): Promise<HeatmapImages> {
  const { size, channels } = pre.input;
  const side = Math.max(size, MIN_SIDE);
  const heat = upsampleHeat(cam, side);
  const base = await sharp(pixels, { raw: { width: size, height: size, channels } })
    .resize(side, side, { kernel: size < side / 2 ? 'nearest' : 'lanczos3' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const baseChannels = base.info.channels;
  const rgba = Buffer.alloc(side * side * 4);
  const over = Buffer.alloc(side * side * 3);
  for (let p = 0; p < side * side; p++) {
    const h = heat[p];
    const [r, g, b] = heatColour(h);
    rgba[p * 4] = r;
    rgba[p * 4 + 1] = g;
    rgba[p * 4 + 2] = b;
    rgba[p * 4 + 3] = Math.round(255 * h);
    const a = opacity * h;
    for (let k = 0; k < 3; k++) {
      const v = base.data[p * baseChannels + (baseChannels === 1 ? 0 : k)];
      over[p * 3 + k] = Math.round(v * (1 - a) + [r, g, b][k] * a);
    }
  }
  const [heatPng, overlayPng] = await Promise.all([
    sharp(rgba, { raw: { width: side, height: side, channels: 4 } }).png().toBuffer(),
    sharp(over, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer(),
  ]);
  return { heat: heatPng, overlay: overlayPng, side };
}
