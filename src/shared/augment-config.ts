import { z } from 'zod';
import type { LabMessage } from './messages';
import { strictObject } from './strict-object';

/**
 * Augmentation settings of a run. A preset expands to concrete parameters, and explicit fields override
 * the preset (field by field), so `{ preset: 'standard', rotate: { degrees: 5 } }` is "standard, but ±5°".
 * `resolveAugment` turns a config into the full, explicit settings every path uses. Unknown keys are refused with the
 * nearest valid name ("did you mean `degrees`?"), like the training config's, so a typo is never silently ignored.
 */
export const AugmentPresetSchema = z.enum(['none', 'light', 'standard', 'strong']);
export type AugmentPreset = z.infer<typeof AugmentPresetSchema>;

const prob = z.number().min(0, 'probability must be between 0 and 1').max(1, 'probability must be between 0 and 1');

/** [min, max] with min ≤ max, both inside [lo, hi]. */
const range = (lo: number, hi: number, unit = '') =>
  z
    .tuple([z.number(), z.number()])
    .refine(([a, b]) => a <= b, 'the first value (min) must not be above the second (max)')
    .refine(([a, b]) => a >= lo && b <= hi, `both values must lie between ${lo} and ${hi}${unit}`);

const toggle = { enabled: z.boolean(), p: prob };

export const FlipSettingsSchema = strictObject(toggle);

export const ScaleCropSettingsSchema = strictObject({
  ...toggle,
  /** Resize to s·size (s drawn from this range), then crop size×size at a random position. 256/224 ≈ 1.14. */
  scale: range(1, 2, ' (1 = no zoom, 2 = crop a quarter of the image)'),
});

export const ErasingSettingsSchema = strictObject({
  ...toggle,
  /** Erased rectangle as a fraction of the image area. */
  area: range(0.001, 0.9),
  /** Width/height ratio of the rectangle (drawn log-uniformly). */
  aspect: range(0.1, 10),
  /** Random values per pixel, or the dataset mean colour. */
  fill: z.enum(['random', 'mean']),
});

export const ColorSettingsSchema = strictObject({
  ...toggle,
  /** Factor drawn from [1−b, 1+b]. */
  brightness: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  /** Factor drawn from [1−c, 1+c], stretching around mid-grey. */
  contrast: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  /** Factor drawn from [1−s, 1+s]; 0 = grey, 1 = unchanged. */
  saturation: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  /** Hue shift drawn from [−h, h], in turns of the colour wheel (0.5 = opposite colour). */
  hue: z.number().min(0, 'must be between 0 and 0.5').max(0.5, 'must be between 0 and 0.5'),
});

export const RotateSettingsSchema = strictObject({
  ...toggle,
  /** Angle drawn from [−degrees, degrees]. */
  degrees: z.number().min(0, 'must be between 0 and 180').max(180, 'must be between 0 and 180'),
});

export const AffineSettingsSchema = strictObject({
  ...toggle,
  /** Shift drawn from [−t, t] of the image side, per axis. */
  translate: z.number().min(0, 'must be between 0 and 0.5').max(0.5, 'must be between 0 and 0.5'),
  /** Horizontal shear angle drawn from [−shear, shear] degrees. */
  shear: z.number().min(0, 'must be between 0 and 45').max(45, 'must be between 0 and 45'),
  /** Per-axis stretch factor drawn from [1−s, 1+s]. */
  stretch: z.number().min(0, 'must be between 0 and 0.5').max(0.5, 'must be between 0 and 0.5'),
});

export const FillSettingsSchema = strictObject({
  /** What appears where a rotation or shift uncovers the border. */
  mode: z.enum(['constant', 'nearest', 'reflect']),
  /** Grey level of the constant fill, 0 (black) … 1 (white). */
  value: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
});

export const MixupSettingsSchema = strictObject({
  ...toggle,
  /** λ ~ Beta(α, α); small α keeps most mixes close to one of the two images. */
  alpha: z.number().gt(0, 'must be greater than 0').max(10, 'must be at most 10'),
});

export const AugmentConfigSchema = strictObject({
  preset: AugmentPresetSchema.default('none'),
  hflip: FlipSettingsSchema.partial().optional(),
  /** Off by default: flipping upside down changes the meaning of faces, text and digits. */
  vflip: FlipSettingsSchema.partial().optional(),
  scaleCrop: ScaleCropSettingsSchema.partial().optional(),
  erasing: ErasingSettingsSchema.partial().optional(),
  color: ColorSettingsSchema.partial().optional(),
  rotate: RotateSettingsSchema.partial().optional(),
  affine: AffineSettingsSchema.partial().optional(),
  fill: FillSettingsSchema.partial().optional(),
  mixup: MixupSettingsSchema.partial().optional(),
});
export type AugmentConfig = z.infer<typeof AugmentConfigSchema>;

/** Every transform spelled out: what the sharp path, the batch path and the preview all read. */
export const ResolvedAugmentSchema = z.object({
  hflip: FlipSettingsSchema,
  vflip: FlipSettingsSchema,
  scaleCrop: ScaleCropSettingsSchema,
  erasing: ErasingSettingsSchema,
  color: ColorSettingsSchema,
  rotate: RotateSettingsSchema,
  affine: AffineSettingsSchema,
  fill: FillSettingsSchema,
  mixup: MixupSettingsSchema,
});
export type ResolvedAugment = z.infer<typeof ResolvedAugmentSchema>;
export type TransformName = 'hflip' | 'vflip' | 'scaleCrop' | 'erasing' | 'color' | 'rotate' | 'affine' | 'mixup';
export const TRANSFORM_NAMES: readonly TransformName[] = ['hflip', 'vflip', 'scaleCrop', 'rotate', 'affine', 'color', 'erasing', 'mixup'];

const NONE: ResolvedAugment = {
  hflip: { enabled: false, p: 0.5 },
  vflip: { enabled: false, p: 0.5 },
  scaleCrop: { enabled: false, p: 1, scale: [1, 1.15] },
  erasing: { enabled: false, p: 0.25, area: [0.02, 0.2], aspect: [0.3, 3.3], fill: 'random' },
  color: { enabled: false, p: 0.8, brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.02 },
  rotate: { enabled: false, p: 0.5, degrees: 10 },
  affine: { enabled: false, p: 0.5, translate: 0.1, shear: 10, stretch: 0.1 },
  fill: { mode: 'constant', value: 0 },
  mixup: { enabled: false, p: 1, alpha: 0.2 },
};

/** The concrete parameters of every preset (the UI shows them; nothing is hidden). */
export const AUGMENT_PRESETS: Record<AugmentPreset, ResolvedAugment> = {
  none: NONE,
  light: {
    ...NONE,
    hflip: { enabled: true, p: 0.5 },
    scaleCrop: { enabled: true, p: 0.5, scale: [1, 1.1] },
    color: { enabled: true, p: 0.5, brightness: 0.1, contrast: 0.1, saturation: 0.1, hue: 0 },
  },
  standard: {
    ...NONE,
    hflip: { enabled: true, p: 0.5 },
    // the document's example: resize to 256, crop 224 → s up to 256/224 ≈ 1.14
    scaleCrop: { enabled: true, p: 1, scale: [1, 1.15] },
    rotate: { enabled: true, p: 0.5, degrees: 10 },
    color: { enabled: true, p: 0.8, brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.02 },
    erasing: { enabled: true, p: 0.25, area: [0.02, 0.2], aspect: [0.3, 3.3], fill: 'random' },
  },
  strong: {
    ...NONE,
    hflip: { enabled: true, p: 0.5 },
    scaleCrop: { enabled: true, p: 1, scale: [1, 1.3] },
    rotate: { enabled: true, p: 0.7, degrees: 15 },
    affine: { enabled: true, p: 0.5, translate: 0.1, shear: 10, stretch: 0.1 },
    fill: { mode: 'reflect', value: 0 },
    color: { enabled: true, p: 0.8, brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.05 },
    erasing: { enabled: true, p: 0.5, area: [0.02, 0.33], aspect: [0.3, 3.3], fill: 'random' },
    mixup: { enabled: true, p: 1, alpha: 0.2 },
  },
};

/** Preset + overrides → explicit settings. Throws nothing: the schema has already checked each field. */
export function resolveAugment(config: AugmentConfig): ResolvedAugment {
  const base = AUGMENT_PRESETS[config.preset];
  return {
    hflip: { ...base.hflip, ...config.hflip },
    vflip: { ...base.vflip, ...config.vflip },
    scaleCrop: { ...base.scaleCrop, ...config.scaleCrop },
    erasing: { ...base.erasing, ...config.erasing },
    color: { ...base.color, ...config.color },
    rotate: { ...base.rotate, ...config.rotate },
    affine: { ...base.affine, ...config.affine },
    fill: { ...base.fill, ...config.fill },
    mixup: { ...base.mixup, ...config.mixup },
  };
}

/** Whether a transform can change anything (enabled with a non-zero probability). */
export function isActive(r: ResolvedAugment, name: TransformName): boolean {
  const t = r[name];
  return t.enabled && t.p > 0;
}

/** True when no transform would ever change an image or a label. */
export function isIdentity(r: ResolvedAugment): boolean {
  return TRANSFORM_NAMES.every((n) => !isActive(r, n));
}

/**
 * The concrete parameters of one augmented image: plain JSON, independent of the image size, so the
 * preview (sharp), a written copy (sharp) and the training batch (tensors) apply exactly the same thing.
 */
export interface AugmentParams {
  hflip: boolean;
  vflip: boolean;
  /** Zoom factor s ≥ 1 (resize to s·size) and crop position in [0, 1] per axis (0.5 = centre). */
  scale: number;
  cropX: number;
  cropY: number;
  /** Degrees, counter-clockwise as seen on screen. */
  rotate: number;
  /** Shift as a fraction of the side. */
  translateX: number;
  translateY: number;
  /** Horizontal shear, degrees. */
  shear: number;
  stretchX: number;
  stretchY: number;
  brightness: number;
  contrast: number;
  saturation: number;
  /** Turns of the colour wheel. */
  hue: number;
  /** Erased rectangle (fractions of the side) or null. */
  erase: EraseParams | null;
  fill: { mode: 'constant' | 'nearest' | 'reflect'; value: number };
}

export interface EraseParams {
  /** Centre and size, fractions of the side. */
  cx: number;
  cy: number;
  w: number;
  h: number;
  fill: 'random' | 'mean';
  /** Seed of the per-pixel noise (fill = random). */
  noiseSeed: number;
}

export interface AugmentWarning {
  transform: TransformName;
  /** Machine key (for translation) and an English sentence. */
  key: 'vflip' | 'vflip-text' | 'hue' | 'rotate-large' | 'erasing-large';
  message: string;
  msg?: LabMessage;
}

/** What the document asks of every transform. */
export const REAL_WORLD_RULE = 'A new sample must be one the real world could produce: a flipped cat is still a cat, a green cat is not.';

/** Hints about the dataset that make some transforms risky. */
export interface DatasetHints {
  /** Class names look like digits or letters, or the images are single-channel glyph-like. */
  textLike?: boolean;
}

/** Class names such as "0"…"9", "a", "B", "seven" suggest digits or characters, where flips change the label. */
export function looksTextLike(classNames: readonly string[]): boolean {
  if (classNames.length === 0) return false;
  const words = new Set(['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']);
  const glyph = classNames.filter((n) => /^[0-9a-z]$/i.test(n.trim()) || words.has(n.trim().toLowerCase()) || /^(digit|char|letter)[ _-]?\w$/i.test(n.trim()));
  return glyph.length / classNames.length >= 0.5;
}

/** Transforms that probably change what the image shows, each with the reason. */
export function augmentWarnings(r: ResolvedAugment, hints: DatasetHints = {}): AugmentWarning[] {
  const out: AugmentWarning[] = [];
  if (isActive(r, 'vflip')) {
    out.push(
      hints.textLike
        ? { transform: 'vflip', key: 'vflip-text', message: `This dataset looks like text or digits: upside down, a 6 becomes a 9 and letters stop being letters. ${REAL_WORLD_RULE}` }
        : { transform: 'vflip', key: 'vflip', message: `Vertical flips turn faces, text, digits and most scenes upside down; keep them only for images without an up (aerial, microscopy). ${REAL_WORLD_RULE}` },
    );
  }
  if (isActive(r, 'color') && r.color.hue > 0.1) {
    out.push({ transform: 'color', key: 'hue', message: `A hue shift above 0.1 turns red into green: colour may be what tells the classes apart. ${REAL_WORLD_RULE}` });
  }
  if (isActive(r, 'rotate') && r.rotate.degrees > 30) {
    out.push({ transform: 'rotate', key: 'rotate-large', message: `Rotations beyond ±30° make images no camera held upright would take (the document uses ±15°). ${REAL_WORLD_RULE}` });
  }
  if (isActive(r, 'erasing') && r.erasing.area[1] > 0.5) {
    out.push({ transform: 'erasing', key: 'erasing-large', message: `Erasing more than half the image can remove the object itself. ${REAL_WORLD_RULE}` });
  }
  return out;
}

/* ── Requests of the augment.* calls (the LabApi contract refers to these) ───────────────────────────── */

const datasetId = z.string().min(1, 'choose a dataset').max(200);
const channelsSchema = z.union([z.literal(1), z.literal(3)]);

export const AugmentPreviewRequestSchema = z.object({
  datasetId,
  config: AugmentConfigSchema,
  /** Manifest indices of the images to show; when absent, `perClass` random images of each class. */
  indices: z.array(z.number().int().min(0)).min(1).max(16, 'at most 16 images at a time').optional(),
  perClass: z.number().int().min(1).max(4).default(1),
  /** Changes which random images are picked (the "shuffle" button). */
  pickSeed: z.number().int().default(0),
  /** Augmented versions per image: the image as epochs epoch, epoch+1, … will show it. */
  count: z.number().int().min(1).max(16).default(8),
  size: z.number().int().min(8, 'must be at least 8 pixels').max(256, 'must be at most 256 pixels').default(96),
  channels: channelsSchema.default(3),
  seed: z.number().int().default(42),
  epoch: z.number().int().min(0).default(0),
  /** Test-time view (no erasing, no randomness), to compare with what evaluation sees. */
  testTime: z.boolean().default(false),
});
export type AugmentPreviewRequest = z.input<typeof AugmentPreviewRequestSchema>;

export const AugmentBatchRequestSchema = z.object({
  datasetId,
  config: AugmentConfigSchema,
  input: z.object({ size: z.number().int().min(8).max(512), channels: channelsSchema, fit: z.enum(['squash', 'crop', 'letterbox']) }),
  /** The run's seed: decides the shuffle and every augmentation draw. */
  seed: z.number().int().default(42),
  batchSize: z.number().int().min(1).max(4096).default(32),
  epoch: z.number().int().min(0).default(0),
  batch: z.number().int().min(0).default(0),
  /** Images shown (the start of the batch). */
  limit: z.number().int().min(1).max(64).default(32),
});
export type AugmentBatchRequest = z.input<typeof AugmentBatchRequestSchema>;

export const AugmentWriteRequestSchema = z.object({
  datasetId,
  config: AugmentConfigSchema,
  /** A folder the user picked; never inside the dataset's own folders. */
  outDir: z.string().min(1, 'choose an output folder'),
  copies: z.number().int().min(1).max(50).default(5),
  size: z.number().int().min(8).max(1024).default(224),
  channels: channelsSchema.default(3),
  seed: z.number().int().default(42),
  split: z.enum(['train', 'val', 'test', 'all']).default('train'),
  /** Only these manifest indices (default: every usable image of the split). */
  indices: z.array(z.number().int().min(0)).max(100000).optional(),
});
export type AugmentWriteRequest = z.input<typeof AugmentWriteRequestSchema>;
