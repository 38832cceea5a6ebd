import { describe, expect, it } from 'vitest';
import { AUGMENT_PRESETS, AugmentConfigSchema, augmentWarnings, isIdentity, looksTextLike, resolveAugment } from './augment-config';
import { TrainConfigSchema } from './config';
import { LabError } from './errors';
import { parseOrThrow } from './validation';

const parse = (v: unknown) => parseOrThrow(AugmentConfigSchema, v, 'augmentation settings');

describe('augmentation settings', () => {
  it('defaults to no augmentation, also inside a run config', () => {
    const run = TrainConfigSchema.parse({ datasetId: 'd' });
    expect(run.augmentation.preset).toBe('none');
    expect(isIdentity(resolveAugment(run.augmentation))).toBe(true);
  });

  it('expands presets and lets single fields override them', () => {
    const std = resolveAugment(parse({ preset: 'standard' }));
    expect(std).toEqual(AUGMENT_PRESETS.standard);
    expect(std.hflip).toEqual({ enabled: true, p: 0.5 });
    expect(std.vflip.enabled).toBe(false); // off unless asked for
    const tuned = resolveAugment(parse({ preset: 'standard', rotate: { degrees: 5 }, vflip: { enabled: true } }));
    expect(tuned.rotate).toEqual({ enabled: true, p: 0.5, degrees: 5 });
    expect(tuned.vflip).toEqual({ enabled: true, p: 0.5 });
    expect(tuned.color).toEqual(std.color);
  });

  it('strong is stronger than light', () => {
    expect(AUGMENT_PRESETS.strong.color.brightness).toBeGreaterThan(AUGMENT_PRESETS.light.color.brightness);
    expect(AUGMENT_PRESETS.strong.mixup.enabled).toBe(true);
    expect(AUGMENT_PRESETS.light.erasing.enabled).toBe(false);
  });

  it('rejects invalid ranges and names the field', () => {
    const cases: [unknown, string][] = [
      [{ scaleCrop: { scale: [1.3, 1.1] } }, 'scaleCrop.scale'],
      [{ scaleCrop: { scale: [0.5, 1.1] } }, 'scaleCrop.scale'],
      [{ erasing: { area: [0, 0.2] } }, 'erasing.area'],
      [{ erasing: { aspect: [3, 0.3] } }, 'erasing.aspect'],
      [{ hflip: { p: 1.5 } }, 'hflip.p'],
      [{ color: { hue: 0.7 } }, 'color.hue'],
      [{ rotate: { degrees: -5 } }, 'rotate.degrees'],
      [{ mixup: { alpha: 0 } }, 'mixup.alpha'],
      [{ fill: { mode: 'wrap' } }, 'fill.mode'],
      [{ preset: 'extreme' }, 'preset'],
    ];
    for (const [value, field] of cases) {
      let err: unknown;
      try {
        parse(value);
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(LabError);
      expect((err as LabError).message).toContain(`${field}:`);
    }
  });

  it('warns about label-changing transforms with the real-world rule', () => {
    expect(augmentWarnings(AUGMENT_PRESETS.standard)).toEqual([]);
    const vflip = resolveAugment(parse({ preset: 'standard', vflip: { enabled: true } }));
    const w = augmentWarnings(vflip, { textLike: true });
    expect(w.map((x) => x.key)).toEqual(['vflip-text']);
    expect(w[0]!.message).toContain('real world could produce');
    expect(augmentWarnings(vflip).map((x) => x.key)).toEqual(['vflip']);
    const hue = resolveAugment(parse({ preset: 'strong', color: { hue: 0.15 } }));
    expect(augmentWarnings(hue).map((x) => x.key)).toEqual(['hue']);
    // a hue shift of 0.05 is not flagged; neither is a disabled vflip
    expect(augmentWarnings(resolveAugment(parse({ preset: 'strong' })))).toEqual([]);
  });

  it('recognises digit- and letter-like class names', () => {
    expect(looksTextLike(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])).toBe(true);
    expect(looksTextLike(['a', 'b', 'c'])).toBe(true);
    expect(looksTextLike(['cat', 'dog'])).toBe(false);
    expect(looksTextLike(['T-shirt', 'Trouser', 'Pullover'])).toBe(false);
  });
});
