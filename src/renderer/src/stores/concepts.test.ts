import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { BatchNormDemo, DropoutDemo } from '../../../shared/dto';
import { LabError } from '../../../shared/errors';
import { setBridge } from '../api/bridge';
import { createFakeBridge, type FakeBridge } from '../testing/fake-bridge';
import { useConceptsStore } from './concepts';
import { useErrorsStore } from './errors';

function dropoutAnswer(p: number): DropoutDemo {
  const inference = [1, 2, 3, 4];
  const training = [0, 2 / (1 - p), 0, 4 / (1 - p)];
  return { p, inference, training, trainingAverage: inference, trials: 10, meanInference: 2.5, meanTraining: 6 / 4 / (1 - p), droppedFraction: 0.5, backend: 'cpu' };
}

function bnAnswer(batchSize: number): BatchNormDemo {
  const rows = Array.from({ length: batchSize }, (_, i) => [i]);
  return {
    batchSize, features: 1, before: rows, training: rows, inference: rows, batchMean: [0], batchVariance: [1], movingMean: [0], movingVariance: [1],
    gamma: [1], beta: [0], epsilon: 1e-5, momentum: 0.9, steps: 1, warning: batchSize === 1 ? 'Batch size 1 with batch normalization: …' : null, backend: 'cpu',
  };
}

describe('concepts store', () => {
  let bridge: FakeBridge;
  const release: (() => void)[] = [];
  beforeEach(() => {
    setActivePinia(createPinia());
    release.length = 0;
    bridge = createFakeBridge()
      // the first answer is slow, the second fast: the slow one must not overwrite the newer result
      .on('concepts.dropout', (req) => (req.p === 0.1 ? new Promise<DropoutDemo>((r) => release.push(() => r(dropoutAnswer(0.1)))) : dropoutAnswer(req.p)))
      .on('concepts.batchNorm', (req) => {
        if (req.batchSize > 256) throw new LabError('BAD_ARGUMENT', 'batchSize × features must be at most 256');
        return bnAnswer(req.batchSize);
      });
    setBridge(bridge);
  });

  it('asks the engine and keeps only the newest answer while sliders move', async () => {
    const store = useConceptsStore();
    const slow = store.loadDropout({ p: 0.1, seed: 1 });
    await store.loadDropout({ p: 0.6, seed: 1 });
    release.forEach((r) => r());
    expect(await slow).toBeNull();
    expect(store.dropout?.p).toBe(0.6);
    expect(bridge.calls.map((c) => c.name)).toEqual(['concepts.dropout', 'concepts.dropout']);
  });

  it('passes the engine’s batch-size-1 warning through, and reports failures to the error panel', async () => {
    const store = useConceptsStore();
    await store.loadBatchNorm({ batchSize: 1, seed: 1 });
    expect(store.batchNorm?.warning).toMatch(/Batch size 1/);
    expect(await store.loadBatchNorm({ batchSize: 300, seed: 1 })).toBeNull();
    expect(store.batchNormError?.message).toMatch(/at most 256/);
    expect(store.batchNorm?.batchSize).toBe(1); // the last good result stays on screen
    expect(useErrorsStore().items[0]?.context).toBe('Concepts: batch-norm explainer');
  });
});
