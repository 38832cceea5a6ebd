import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from './config';
import { applyModelChoice, chooseModel, describeModel, suggestBalance, wantsAutoModel, type DatasetFacts } from './model-choice';
import { formatMessage } from './messages';

const facts = (over: Partial<DatasetFacts>): DatasetFacts => ({
  channels: 3,
  medianWidth: 320,
  medianHeight: 240,
  perClass: 30,
  classes: 8,
  images: 240,
  suggestedInputSize: 224,
  imbalanceRatio: 1,
  ...over,
});

describe('chooseModel', () => {
  it('picks frozen MobileNetV2 transfer at 224 for colour photos, and says why in both languages', () => {
    const c = chooseModel(facts({}));
    expect(c.model).toMatchObject({ kind: 'transfer', backbone: 'builtin:mobilenetv2', trainableLayers: 0 });
    expect(c.input).toEqual({ size: 224, channels: 3, fit: 'squash' });
    expect(c.epochs).toBe(20);
    expect(formatMessage(c.reason, 'en')).toMatch(/^Colour photos \(typically 320×240, 30 per class\): transfer learning/);
    expect(formatMessage(c.reason, 'zh-CN')).toContain('迁移学习');
    // Also with many images per class: photos are photos.
    expect(chooseModel(facts({ perClass: 5000 })).model.kind).toBe('transfer');
  });

  it('picks transfer for few grey images per class of a fair size', () => {
    const c = chooseModel(facts({ channels: 1, medianWidth: 128, medianHeight: 128, perClass: 20, suggestedInputSize: 128 }));
    expect(c.model.kind).toBe('transfer');
    expect(c.input.channels).toBe(3);
    expect(c.reason.code).toBe('model.auto.transferFew');
  });

  it('picks the small CNN at their own size for small grey images', () => {
    const c = chooseModel(facts({ channels: 1, medianWidth: 28, medianHeight: 28, perClass: 500, suggestedInputSize: 28 }));
    expect(c.model).toMatchObject({ kind: 'cnn' });
    expect(c.input).toEqual({ size: 28, channels: 1, fit: 'squash' });
    expect(c.epochs).toBeUndefined();
    expect(formatMessage(c.reason, 'en')).toContain('Small greyscale images (28×28)');
    expect(formatMessage(c.reason, 'zh-CN')).toContain('灰度');
  });

  it('keeps tiny images (below 32 px) on a CNN even with few per class', () => {
    const c = chooseModel(facts({ channels: 3, medianWidth: 8, medianHeight: 8, perClass: 10, suggestedInputSize: 8 }));
    expect(c.model.kind).toBe('cnn');
    expect(c.input).toEqual({ size: 8, channels: 3, fit: 'squash' });
  });

  it('picks a 3-block CNN at ≤ 64 px for many bigger grey images', () => {
    const c = chooseModel(facts({ channels: 1, medianWidth: 200, medianHeight: 200, perClass: 3000, suggestedInputSize: 192 }));
    expect(c.model).toMatchObject({ kind: 'cnn' });
    expect((c.model as { blocks: unknown[] }).blocks).toHaveLength(3);
    expect(c.input.size).toBe(64);
  });
});

describe('suggestBalance', () => {
  it('suggests nothing for near-equal classes, class weights for moderate and oversampling for strong imbalance', () => {
    expect(suggestBalance(1.2).balance).toBe('none');
    expect(suggestBalance(2).balance).toBe('class-weights');
    expect(formatMessage(suggestBalance(2).reason!, 'en')).toContain('2×');
    expect(suggestBalance(9).balance).toBe('oversample');
    expect(formatMessage(suggestBalance(9).reason!, 'zh-CN')).toContain('过采样');
  });
});

describe('applyModelChoice', () => {
  it('fills what the user left out, keeps what they set, and records the reason in the config', () => {
    expect(wantsAutoModel({})).toBe(true);
    expect(wantsAutoModel({ model: 'auto' })).toBe(true);
    expect(wantsAutoModel({ model: { kind: 'cnn', blocks: [{ filters: 4 }] } })).toBe(false);
    const choice = chooseModel(facts({ imbalanceRatio: 3 }));
    const cfg = TrainConfigSchema.parse({ ...applyModelChoice({ input: { fit: 'crop' }, epochs: 5 }, choice), datasetId: 'd' });
    expect(cfg.model.kind).toBe('transfer');
    expect(cfg.input).toEqual({ size: 224, channels: 3, fit: 'crop' });
    expect(cfg.epochs).toBe(5);
    expect(cfg.batchSize).toBe(16);
    expect(cfg.balance).toBe('class-weights');
    expect(cfg.modelChoice?.code).toBe('model.auto.transferPhotos');
    expect(cfg.modelChoice?.reason).toContain('Colour photos');
    expect(describeModel(cfg)).toBe('transfer from builtin:mobilenetv2 (frozen) at 224×224×3');
  });
});
