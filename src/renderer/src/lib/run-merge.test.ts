import { describe, expect, it } from 'vitest';
import type { BatchLog } from '../../../shared/dto';
import { mergeBatches } from './run-merge';

const batch = (i: number, loss: number): BatchLog => ({ epoch: 1, batch: i, batchesPerEpoch: 100_000, loss, accuracy: 0, lr: 1e-3 });

describe('mergeBatches thinning', () => {
  it('a single loss spike in the older half survives when a live chart thins its points', () => {
    let points: BatchLog[] = [];
    for (let i = 1; i <= 3000; i++) points = mergeBatches(points, [batch(i, i === 777 ? 50 : 1 / i)], 1000);
    expect(points.length).toBeLessThanOrEqual(1000);
    expect(points.find((b) => b.batch === 777)?.loss).toBe(50);
    expect(points[0]!.batch).toBe(1);
    expect(points.at(-1)!.batch).toBe(3000);
  });
});
