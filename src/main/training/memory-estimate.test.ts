import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { assertFitsInMemory, estimateMemory, memoryBudget, WASM_HEAP_LIMIT } from './memory-estimate';

const GiB = 1024 ** 3;
const facts = { classes: 10, images: 2000 };
const cfg = (over: Record<string, unknown>) => TrainConfigSchema.parse({ datasetId: 'd', ...over });

function refusal(fn: () => unknown): LabError {
  try {
    fn();
  } catch (err) {
    return err as LabError;
  }
  throw new Error('expected a refusal');
}

describe('memory estimate before training', () => {
  it('counts parameters exactly for an MLP and scales activations with the batch', () => {
    const c = cfg({ input: { size: 8, channels: 1 }, model: { kind: 'mlp', hidden: [{ units: 16 }] }, batchSize: 4, optimizer: { name: 'adam' } });
    const e = estimateMemory(c, { classes: 3, images: 10 });
    expect(e.parameters).toBe(64 * 16 + 16 + 16 * 3 + 3);
    // weights + gradients + Adam's two slots
    expect(e.parameterBytes).toBe(e.parameters * 4 * 4);
    expect(e.inputCacheBytes).toBe(10 * 64);
    const e8 = estimateMemory({ ...c, batchSize: 8 }, { classes: 3, images: 10 });
    expect(e8.batchBytes).toBe(2 * e.batchBytes);
  });

  it('budget: half the machine, and at most 3 GiB of the 4 GiB wasm heap on wasm/onednn', () => {
    expect(memoryBudget('wasm', 24 * GiB)).toEqual({ tensors: WASM_HEAP_LIMIT * 0.75, total: 12 * GiB });
    expect(memoryBudget(null, 24 * GiB).tensors).toBe(WASM_HEAP_LIMIT * 0.75);
    expect(memoryBudget('tensorflow', 24 * GiB)).toEqual({ tensors: 12 * GiB, total: 12 * GiB });
    expect(memoryBudget('wasm', 4 * GiB)).toEqual({ tensors: 2 * GiB, total: 2 * GiB });
  });

  it('refuses --size 512 with batch 32 (the audit\'s INTERNAL crash) with the numbers and a batch size that fits', () => {
    const c = cfg({ input: { size: 512, channels: 3 }, batchSize: 32 });
    const budget = memoryBudget('wasm', 24 * GiB);
    const err = refusal(() => assertFitsInMemory(c, facts, budget));
    expect(err).toBeInstanceOf(LabError);
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toMatch(/need more memory than this machine can give training/);
    expect(err.message).toMatch(/per image × batch 32 = .* GiB/);
    expect(err.message).toMatch(/of tensors against 3\.0 GiB available/);
    const suggested = err.details?.suggestedBatchSize as number;
    expect(suggested).toBeGreaterThanOrEqual(1);
    expect(suggested).toBeLessThan(32);
    expect(err.message).toContain(`Use batchSize ${suggested} or less`);
    // The suggestion itself is accepted.
    expect(() => assertFitsInMemory({ ...c, batchSize: suggested }, facts, budget)).not.toThrow();
  });

  it('refuses an MLP of 20 × 8192 units at 512×512×3 (a weight beyond any typed array) saying batch size will not help', () => {
    const c = cfg({ input: { size: 512, channels: 3 }, model: { kind: 'mlp', hidden: Array.from({ length: 20 }, () => ({ units: 8192 })) }, batchSize: 32 });
    const err = refusal(() => assertFitsInMemory(c, facts, memoryBudget('tensorflow', 24 * GiB)));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toMatch(/Even batch size 1 does not fit: use a smaller input.size \(e\.g\. 256\)/);
    expect(err.details?.suggestedBatchSize).toBeUndefined();
  });

  it('accepts the defaults and the small models the lab suggests', () => {
    const budget = memoryBudget('wasm', 8 * GiB);
    expect(() => assertFitsInMemory(cfg({}), { classes: 10, images: 60000 }, budget)).not.toThrow();
    expect(() => assertFitsInMemory(cfg({ input: { size: 224, channels: 3 }, model: { kind: 'transfer' }, batchSize: 32 }), facts, budget)).not.toThrow();
    expect(() => assertFitsInMemory(cfg({ input: { size: 32, channels: 3 }, model: { kind: 'resnet', depth: 20, width: 16 }, batchSize: 128 }), facts, budget)).not.toThrow();
  });
});
