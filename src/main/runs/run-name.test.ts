import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../shared/config';
import { autoRunName } from './run-name';

const cfg = (over: Record<string, unknown> = {}) => TrainConfigSchema.parse({ datasetId: 'ds1', ...over });

describe('automatic run names', () => {
  it('say the epochs, so two runs differing only in epochs differ in name', () => {
    const a = autoRunName(cfg({ epochs: 5 }), 'sample', null, new Set());
    const b = autoRunName(cfg({ epochs: 10 }), 'sample', cfg({ epochs: 5 }), new Set([a]));
    expect(a).toBe('sample · cnn · adam 0.001 · 5 epochs');
    expect(b).toBe('sample · cnn · adam 0.001 · 10 epochs');
  });

  it('add what differs from the previous run on the dataset, and a number when the name is taken', () => {
    const prev = cfg();
    const name = autoRunName(cfg({ batchSize: 64 }), 'sample', prev, new Set());
    expect(name).toBe('sample · cnn · adam 0.001 · 10 epochs · batch 64');
    const again = autoRunName(cfg(), 'sample', cfg(), new Set(['sample · cnn · adam 0.001 · 10 epochs']));
    expect(again).toBe('sample · cnn · adam 0.001 · 10 epochs (2)');
  });
});
