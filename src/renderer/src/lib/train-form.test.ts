import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../../shared/config';
import { buildTrainConfig, defaultTrainForm, formFromConfig, trainFormProblems, warnsBatchOfOne } from './train-form';

describe('train form → TrainConfig', () => {
  it('the default form is a valid small-CNN config with the chosen dropout and batch norm', () => {
    const form = { ...defaultTrainForm('ds1'), dropout: 0.3, batchNorm: false, epochs: 4 };
    const config = TrainConfigSchema.parse(buildTrainConfig(form));
    expect(config.model.kind).toBe('cnn');
    if (config.model.kind !== 'cnn') throw new Error('unreachable');
    expect(config.model.headDropout).toBe(0.3);
    expect(config.model.blocks.every((b) => b.batchNorm === false)).toBe(true);
    expect(config.epochs).toBe(4);
    expect(config.optimizer.name).toBe('adam');
  });

  it('each preset builds the model kind it names', () => {
    for (const preset of ['mlp', 'resnet', 'transfer'] as const) {
      const config = TrainConfigSchema.parse(buildTrainConfig({ ...defaultTrainForm('ds1'), preset, optimizer: 'rmsprop', lr: 0.01 }));
      expect(config.model.kind).toBe(preset);
      expect(config.optimizer).toMatchObject({ name: 'rmsprop', lr: 0.01 });
    }
  });

  it('names the bad fields before anything is sent', () => {
    const problems = trainFormProblems({ ...defaultTrainForm(null), lr: 0, dropout: 1 });
    expect(problems.some((p) => p.startsWith('datasetId'))).toBe(true);
    expect(problems.some((p) => p.startsWith('optimizer.lr'))).toBe(true);
    expect(problems.some((p) => p.includes('headDropout'))).toBe(true);
    expect(trainFormProblems(defaultTrainForm('ds1'))).toEqual([]);
  });

  it('warns about batch size 1 only when batch norm is in play', () => {
    expect(warnsBatchOfOne({ ...defaultTrainForm('d'), batchSize: 1 })).toBe(true);
    expect(warnsBatchOfOne({ ...defaultTrainForm('d'), batchSize: 1, batchNorm: false })).toBe(false);
    expect(warnsBatchOfOne({ ...defaultTrainForm('d'), batchSize: 1, batchNorm: false, preset: 'resnet' })).toBe(true);
    expect(warnsBatchOfOne({ ...defaultTrainForm('d'), batchSize: 8 })).toBe(false);
  });
});

describe('train form built on an existing config', () => {
  const runConfig = TrainConfigSchema.parse({
    datasetId: 'ds1',
    model: { kind: 'cnn', blocks: [{ filters: 8 }, { filters: 8 }, { filters: 64 }], headDropout: 0.25 },
    weightDecay: { kind: 'l2', value: 1e-4 },
    schedule: { kind: 'cosine' },
    optimizer: { name: 'momentum', lr: 0.05, momentum: 0.8 },
    epochs: 7,
  });

  it('shows the config on the form and rebuilds it unchanged', () => {
    const form = formFromConfig(runConfig);
    expect(form).toMatchObject({ preset: 'cnn', dropout: 0.25, optimizer: 'momentum', lr: 0.05, epochs: 7, batchNorm: true });
    expect(TrainConfigSchema.parse(buildTrainConfig(form))).toEqual(runConfig);
  });

  it('form edits override the base; settings the form lacks (weight decay, schedule, architecture) are kept', () => {
    const form = { ...formFromConfig(runConfig), epochs: 3, dropout: 0.1, batchNorm: false, lr: 0.01 };
    const config = TrainConfigSchema.parse(buildTrainConfig(form));
    expect(config.epochs).toBe(3);
    expect(config.optimizer).toMatchObject({ name: 'momentum', lr: 0.01, momentum: 0.8 });
    expect(config.weightDecay).toEqual({ kind: 'l2', value: 1e-4 });
    expect(config.schedule.kind).toBe('cosine');
    if (config.model.kind !== 'cnn') throw new Error('unreachable');
    expect(config.model.blocks.map((b) => [b.filters, b.batchNorm])).toEqual([
      [8, false],
      [8, false],
      [64, false],
    ]);
    expect(config.model.headDropout).toBe(0.1);
  });

  it('choosing another model preset replaces the architecture', () => {
    const config = TrainConfigSchema.parse(buildTrainConfig({ ...formFromConfig(runConfig), preset: 'mlp' }));
    expect(config.model.kind).toBe('mlp');
    expect(config.weightDecay.kind).toBe('l2');
  });
});

describe('the automatic model choice in the form', () => {
  it('keeps the reason while the chosen model stays, and drops it when another model is picked', async () => {
    const { TrainConfigSchema } = await import('../../../shared/config');
    const { applyModelChoice, chooseModel } = await import('../../../shared/model-choice');
    const choice = chooseModel({ channels: 3, medianWidth: 320, medianHeight: 240, perClass: 30, classes: 8, images: 240, suggestedInputSize: 224, imbalanceRatio: 1 });
    const auto = TrainConfigSchema.parse({ ...applyModelChoice({}, choice), datasetId: 'photos' });
    const form = formFromConfig(auto);
    expect(form).toMatchObject({ preset: 'transfer', inputSize: 224, epochs: 20, batchSize: 16 });
    expect(TrainConfigSchema.parse(buildTrainConfig(form)).modelChoice?.code).toBe('model.auto.transferPhotos');
    expect(TrainConfigSchema.parse(buildTrainConfig({ ...form, epochs: 30 })).modelChoice?.code).toBe('model.auto.transferPhotos');
    const cnn = TrainConfigSchema.parse(buildTrainConfig({ ...form, preset: 'cnn', inputSize: 32 }));
    expect(cnn.model.kind).toBe('cnn');
    expect(cnn.modelChoice).toBeUndefined();
  });
});
