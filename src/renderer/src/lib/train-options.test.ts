import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../../shared/config';
import { buildTrainConfig, formFromConfig } from './train-form';
import { embeddingsChoice, withBalance, withEmbeddings } from './train-options';

const transfer = TrainConfigSchema.parse({ datasetId: 'd', input: { size: 96, channels: 3 }, model: { kind: 'transfer', trainableLayers: 0 } });

describe('Train page switches', () => {
  it('embeddings: offered for a frozen backbone only; the choice reaches the run config through the form, auto removes it', () => {
    expect(embeddingsChoice(transfer)).toBe('auto');
    expect(embeddingsChoice(TrainConfigSchema.parse({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'mlp' } }))).toBeNull();
    expect(embeddingsChoice(TrainConfigSchema.parse({ ...transfer, model: { ...transfer.model, trainableLayers: 5 } }))).toBeNull();
    for (const choice of ['cache', 'recompute'] as const) {
      const run = TrainConfigSchema.parse(buildTrainConfig(formFromConfig(withEmbeddings(transfer, choice))));
      expect(run.model.kind === 'transfer' && run.model.embeddings).toBe(choice);
      expect(embeddingsChoice(run)).toBe(choice);
    }
    const back = TrainConfigSchema.parse(buildTrainConfig(formFromConfig(withEmbeddings(withEmbeddings(transfer, 'recompute'), 'auto'))));
    expect(back.model.kind === 'transfer' && 'embeddings' in back.model).toBe(false);
  });

  it('balance: the choice reaches the run config through the form', () => {
    for (const balance of ['class-weights', 'oversample', 'none'] as const) {
      expect(TrainConfigSchema.parse(buildTrainConfig(formFromConfig(withBalance(transfer, balance)))).balance).toBe(balance);
    }
  });
});
