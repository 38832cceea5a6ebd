import { describe, expect, it } from 'vitest';
import { AugmentConfigSchema, resolveAugment } from './augment-config';
import { TrainConfigSchema } from './config';
import { formatMessage } from './messages';
import { parseOrThrow } from './validation';

const parse = (v: unknown) => parseOrThrow(AugmentConfigSchema, v, 'augmentation settings', 'BAD_CONFIG');

describe('augmentation settings are validated strictly', () => {
  it('refuses a mistyped transform or field, naming the nearest valid one, instead of ignoring it', () => {
    expect(() => parse({ preset: 'light', hflp: { enabled: true } })).toThrow(/\(value\): unknown setting "hflp" \(did you mean `hflip`\?\); valid settings here: preset, hflip, vflip/);
    expect(() => parse({ rotate: { degree: 5 } })).toThrow(/rotate: unknown setting "degree" \(did you mean `degrees`\?\)/);
    expect(() => parse({ erasing: { enabled: true, aera: [0.02, 0.2] } })).toThrow(/erasing: unknown setting "aera" \(did you mean `area`\?\)/);
    expect(() => parse({ color: { brightnes: 0.2, zzzz: 1 } })).toThrow(/color: unknown settings "brightnes" \(did you mean `brightness`\?\), "zzzz"; valid settings here: enabled, p, brightness/);
  });

  it('refuses them inside a training config too, and says so in Chinese', () => {
    let said = '';
    try {
      parseOrThrow(TrainConfigSchema, { datasetId: 'd', augmentation: { preset: 'light', mixup: { alpah: 0.2 } } }, 'training config', 'BAD_CONFIG');
    } catch (err) {
      said = formatMessage((err as { msg: Parameters<typeof formatMessage>[0] }).msg, 'zh-CN');
    }
    expect(said).toContain('augmentation.mixup：未知的设置 "alpah"（你是想写 `alpha` 吗？）');
  });

  it('still accepts every valid setting (partial overrides of a preset)', () => {
    const c = parse({ preset: 'standard', rotate: { degrees: 5 }, fill: { mode: 'reflect' }, mixup: { enabled: true, alpha: 0.4 } });
    const r = resolveAugment(c);
    expect(r.rotate.degrees).toBe(5);
    expect(r.fill.mode).toBe('reflect');
    expect(r.mixup).toMatchObject({ enabled: true, alpha: 0.4 });
  });
});
