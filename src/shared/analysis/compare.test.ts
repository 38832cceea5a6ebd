import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../config';
import type { RunDetail } from '../dto';
import { compareSettings, flattenConfig, runLabels, runNumbers, withSetting } from './compare';

const base = TrainConfigSchema.parse({ datasetId: 'ds' });

describe('compareSettings', () => {
  it('flattens nested settings and arrays to readable keys', () => {
    const flat = flattenConfig(base);
    expect(flat['optimizer.lr']).toBe(0.001);
    expect(flat['model.blocks[1].filters']).toBe(32);
    expect(flat['clipNorm']).toBeNull();
  });

  it('marks exactly the settings that differ (optimizer and dropout runs)', () => {
    const sgd = { ...base, optimizer: { ...base.optimizer, name: 'sgd' as const, lr: 0.01 } };
    const rows = compareSettings([base, sgd]);
    const differing = rows.filter((r) => r.differs).map((r) => r.key);
    expect(differing.sort()).toEqual(['optimizer.lr', 'optimizer.name']);
    const lr = rows.find((r) => r.key === 'optimizer.lr')!;
    expect(lr.values).toEqual([0.001, 0.01]);
  });

  it('shows keys only one model kind has as differing, with a gap for the other', () => {
    const mlp = TrainConfigSchema.parse({ datasetId: 'ds', model: { kind: 'mlp' } });
    const rows = compareSettings([base, mlp], { onlyDifferences: true });
    const units = rows.find((r) => r.key === 'model.hidden[0].units')!;
    expect(units.values).toEqual([undefined, 128]);
    expect(rows.find((r) => r.key === 'model.kind')?.values).toEqual(['cnn', 'mlp']);
    expect(rows.every((r) => r.differs)).toBe(true);
  });

  it('builds "the same with one change" without touching the original', () => {
    const next = withSetting(base, 'model.blocks[0].dropout', 0.2);
    expect(next.model.kind === 'cnn' && next.model.blocks[0]!.dropout).toBe(0.2);
    expect(base.model.kind === 'cnn' && base.model.blocks[0]!.dropout).toBe(0);
    expect(() => TrainConfigSchema.parse(next)).not.toThrow();
    expect(compareSettings([base, next], { onlyDifferences: true }).map((r) => r.key)).toEqual(['model.blocks[0].dropout']);
    expect(() => withSetting(base, 'model.hidden[0].units', 3)).toThrow(/model\.hidden\[0\]\.units/);
  });
});

describe('runNumbers', () => {
  it('takes the best validation numbers at the monitor\'s best epoch (not the maximum), and total time from the logs', () => {
    const log = (epoch: number, valLoss: number, valAccuracy: number) => ({
      epoch,
      loss: 1,
      accuracy: 0.5 + epoch / 10,
      valLoss,
      valAccuracy,
      lr: 1e-3,
      durationS: 2.5,
      imagesPerS: 100 * epoch,
      bestEpoch: null,
      patienceLeft: null,
    });
    const detail = {
      id: 'r1',
      name: 'adam',
      epochsDone: 3,
      bestEpoch: 2,
      bestValAccuracy: null,
      bestValLoss: null,
      testAccuracy: null,
      evaluation: null,
      epochLogs: [log(1, 0.9, 0.6), log(2, 0.7, 0.72), log(3, 0.8, 0.75)],
    } as unknown as RunDetail;
    const n = runNumbers(detail);
    expect(n.bestEpoch).toBe(2);
    expect(n.bestValLoss).toBe(0.7);
    // epoch 3 has a higher accuracy (0.75), but the run's best epoch (its kept weights) is 2: Runs shows 72 % too
    expect(n.bestValAccuracy).toBe(0.72);
    expect(n.trainingTimeS).toBe(7.5);
    expect(n.meanImagesPerS).toBe(200);
    expect(n.finalTrainAccuracy).toBeCloseTo(0.8, 12);
  });
});

describe('runLabels', () => {
  it('gives two runs with one name different labels (a legend would merge them), naming what differs', () => {
    const a = TrainConfigSchema.parse({ datasetId: 'ds1', epochs: 5 });
    const b = TrainConfigSchema.parse({ datasetId: 'ds1', epochs: 10 });
    const labels = runLabels([{ id: 'r1', name: 'sample · cnn · adam 0.001' }, { id: 'r2', name: 'sample · cnn · adam 0.001' }], [a, b]);
    expect(labels).toEqual(['sample · cnn · adam 0.001 · epochs=5', 'sample · cnn · adam 0.001 · epochs=10']);
    const same = runLabels([{ id: 'r1', name: 'x' }, { id: 'r2', name: 'x' }], [a, a]);
    expect(new Set(same).size).toBe(2);
  });
});
