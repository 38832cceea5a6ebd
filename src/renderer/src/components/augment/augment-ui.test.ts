import { describe, expect, it } from 'vitest';
import { AUGMENT_PRESETS, resolveAugment } from '../../../../shared/augment-config';
import { changedFromPreset, cloneSettings, configFromSettings, describeParams, presetRows } from './augment-ui';

describe('augmentation view helpers', () => {
  it('turn edited settings into a config that resolves back to the same settings', () => {
    const s = cloneSettings(AUGMENT_PRESETS.standard);
    expect(configFromSettings('standard', s)).toEqual({ preset: 'standard' });
    s.rotate.degrees = 5;
    s.vflip.enabled = true;
    const config = configFromSettings('standard', s);
    expect(config).toEqual({ preset: 'standard', rotate: { degrees: 5 }, vflip: { enabled: true } });
    expect(resolveAugment(config)).toEqual(s);
    expect(changedFromPreset('standard', s).sort()).toEqual(['rotate', 'vflip']);
  });

  it('describe what fired on one image', () => {
    expect(describeParams({ hflip: true, vflip: false, scale: 1.1, cropX: 0.5, cropY: 0.25, rotate: -7.34, translateX: 0, translateY: 0, shear: 0, stretchX: 1, stretchY: 1, brightness: 1, contrast: 1, saturation: 1, hue: 0, erase: null, fill: { mode: 'constant', value: 0 } })).toEqual([
      'flip ↔',
      'zoom ×1.1, crop at (0.5, 0.25)',
      'rotate -7.3°',
    ]);
  });

  it('list every parameter a preset sets', () => {
    const rows = presetRows(AUGMENT_PRESETS.strong);
    expect(rows.map((r) => r.transform)).toEqual(['hflip', 'vflip', 'scaleCrop', 'rotate', 'affine', 'color', 'erasing', 'mixup']);
    expect(rows.find((r) => r.transform === 'rotate')!.text).toBe('p=0.7, ±15°');
    expect(rows.find((r) => r.transform === 'vflip')!.on).toBe(false);
  });
});
