import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { AUGMENT_PRESETS, resolveAugment } from '../../../shared/augment-config';
import { TrainConfigSchema } from '../../../shared/config';
import { setBridge } from '../api/bridge';
import { buildTrainConfig } from '../lib/train-form';
import { configFromSettings, cloneSettings } from '../components/augment/augment-ui';
import { createFakeBridge, type FakeBridge } from '../testing/fake-bridge';
import { useAugmentStore } from './augment';
import { useTrainFormStore, withAugmentation } from './train-form';

let bridge: FakeBridge;
beforeEach(() => {
  setActivePinia(createPinia());
  bridge = createFakeBridge();
  setBridge(bridge);
});

/** "standard", but rotation ±30° and random erasing on with the mean fill: what a person tuned on the Augmentation page. */
function customised() {
  const s = cloneSettings(AUGMENT_PRESETS.standard);
  s.rotate = { ...s.rotate, enabled: true, degrees: 30 };
  s.erasing = { ...s.erasing, enabled: true, p: 0.4, fill: 'mean' };
  return configFromSettings('standard', s);
}

describe('Augmentation → Train', () => {
  it('"Use these settings for training" gives the run every transform as set, not just the preset', () => {
    const form = useTrainFormStore();
    form.useAugmentation(customised(), 'ds1');
    expect(form.form.datasetId).toBe('ds1');
    expect(form.form.augmentation).toBe('standard');
    const config = TrainConfigSchema.parse(buildTrainConfig(form.form));
    const r = resolveAugment(config.augmentation);
    expect(r.rotate).toMatchObject({ enabled: true, degrees: 30 });
    expect(r.erasing).toMatchObject({ enabled: true, p: 0.4, fill: 'mean' });
    expect(config.datasetId).toBe('ds1');
  });

  it('the Train form\'s other choices still apply, and an edit there changes the transforms the run gets', () => {
    const form = useTrainFormStore();
    form.form = { ...form.form, epochs: 3, lr: 0.01 };
    form.useAugmentation(customised(), 'ds1');
    const edited = resolveAugment(TrainConfigSchema.parse(buildTrainConfig(form.form)).augmentation);
    edited.rotate.degrees = 10;
    form.form = withAugmentation(form.form, configFromSettings('standard', edited));
    const config = TrainConfigSchema.parse(buildTrainConfig(form.form));
    expect(config.epochs).toBe(3);
    expect(config.optimizer.lr).toBe(0.01);
    expect(resolveAugment(config.augmentation).rotate.degrees).toBe(10);
    // choosing another preset on the form drops the detailed settings of the old one
    form.form = { ...form.form, augmentation: 'light' };
    expect(TrainConfigSchema.parse(buildTrainConfig(form.form)).augmentation).toEqual({ preset: 'light' });
  });
});

describe('the augment store', () => {
  it('shows a training batch, keeps an error to show, and forgets both when the dataset changes', async () => {
    const augment = useAugmentStore();
    bridge.on('augment.batch', () => {
      throw Object.assign(new Error('no images'), { code: 'NO_IMAGES' });
    });
    await augment.showBatch({ datasetId: 'ds1', config: { preset: 'none' }, input: { size: 16, channels: 3, fit: 'squash' }, seed: 1, batchSize: 4, epoch: 0, batch: 0, limit: 4 });
    expect(augment.batchError?.message).toMatch(/no images/);
    expect(augment.batchBusy).toBe(false);
    augment.resetFor();
    expect(augment.batchError).toBeNull();
    expect(augment.batch).toBeNull();
  });
});
