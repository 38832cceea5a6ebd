/** Pure helpers of the augmentation view: settings ⇄ config, what changed from a preset, readable parameters. */
import {
  AUGMENT_PRESETS,
  AugmentConfigSchema,
  type AugmentConfig,
  type AugmentParams,
  type AugmentPreset,
  type ResolvedAugment,
  type TransformName,
} from '../../../../shared/augment-config';

/** Full explicit settings → the config a run stores: the preset plus only the fields that differ from it. */
export function configFromSettings(preset: AugmentPreset, settings: ResolvedAugment): AugmentConfig {
  const base = AUGMENT_PRESETS[preset];
  const config: Record<string, unknown> = { preset };
  for (const key of Object.keys(settings) as (keyof ResolvedAugment)[]) {
    const diff: Record<string, unknown> = {};
    const now = settings[key] as Record<string, unknown>;
    const was = base[key] as Record<string, unknown>;
    for (const [field, value] of Object.entries(now)) {
      if (JSON.stringify(value) !== JSON.stringify(was[field])) diff[field] = value;
    }
    if (Object.keys(diff).length > 0) config[key] = diff;
  }
  return AugmentConfigSchema.parse(config);
}

/** Transforms whose settings differ from the preset. */
export function changedFromPreset(preset: AugmentPreset, settings: ResolvedAugment): (keyof ResolvedAugment)[] {
  const base = AUGMENT_PRESETS[preset];
  return (Object.keys(settings) as (keyof ResolvedAugment)[]).filter((k) => JSON.stringify(settings[k]) !== JSON.stringify(base[k]));
}

export function cloneSettings(s: ResolvedAugment): ResolvedAugment {
  return JSON.parse(JSON.stringify(s)) as ResolvedAugment;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;

/** One short line per transform that fired, e.g. "rotate 7.3°", for a thumbnail's tooltip. */
export function describeParams(p: AugmentParams): string[] {
  const out: string[] = [];
  if (p.hflip) out.push('flip ↔');
  if (p.vflip) out.push('flip ↕');
  if (p.scale !== 1) out.push(`zoom ×${r2(p.scale)}, crop at (${r2(p.cropX)}, ${r2(p.cropY)})`);
  if (p.rotate !== 0) out.push(`rotate ${r1(p.rotate)}°`);
  if (p.translateX !== 0 || p.translateY !== 0 || p.shear !== 0 || p.stretchX !== 1 || p.stretchY !== 1) {
    out.push(`shift (${r2(p.translateX)}, ${r2(p.translateY)}), shear ${r1(p.shear)}°, stretch ×${r2(p.stretchX)}/${r2(p.stretchY)}`);
  }
  if (p.brightness !== 1 || p.contrast !== 1 || p.saturation !== 1 || p.hue !== 0) {
    out.push(`brightness ×${r2(p.brightness)}, contrast ×${r2(p.contrast)}, saturation ×${r2(p.saturation)}, hue ${p.hue >= 0 ? '+' : ''}${r2(p.hue)}`);
  }
  if (p.erase) out.push(`erase ${Math.round(p.erase.w * 100)}%×${Math.round(p.erase.h * 100)}% (${p.erase.fill})`);
  return out.length ? out : ['unchanged'];
}

/** The rows of a preset's parameter table: transform → readable settings, '' when off. */
export function presetRows(s: ResolvedAugment): { transform: TransformName; on: boolean; text: string }[] {
  const p = (x: number) => `p=${x}`;
  return [
    { transform: 'hflip', on: s.hflip.enabled, text: p(s.hflip.p) },
    { transform: 'vflip', on: s.vflip.enabled, text: p(s.vflip.p) },
    { transform: 'scaleCrop', on: s.scaleCrop.enabled, text: `${p(s.scaleCrop.p)}, s ∈ [${s.scaleCrop.scale.join(', ')}]` },
    { transform: 'rotate', on: s.rotate.enabled, text: `${p(s.rotate.p)}, ±${s.rotate.degrees}°` },
    { transform: 'affine', on: s.affine.enabled, text: `${p(s.affine.p)}, shift ±${s.affine.translate}, shear ±${s.affine.shear}°, stretch ±${s.affine.stretch}` },
    { transform: 'color', on: s.color.enabled, text: `${p(s.color.p)}, b ±${s.color.brightness}, c ±${s.color.contrast}, s ±${s.color.saturation}, h ±${s.color.hue}` },
    { transform: 'erasing', on: s.erasing.enabled, text: `${p(s.erasing.p)}, area [${s.erasing.area.join(', ')}], aspect [${s.erasing.aspect.join(', ')}], ${s.erasing.fill}` },
    { transform: 'mixup', on: s.mixup.enabled, text: `${p(s.mixup.p)}, α=${s.mixup.alpha}` },
  ];
}
