import { describe, expect, it } from 'vitest';
import { histogram } from './histogram';

describe('histogram', () => {
  it('counts every finite value once, clamping outliers into the edge bins', () => {
    const h = histogram([0, 0.1, 0.5, 0.99, 5, -5, NaN], 0, 1, 4);
    expect(h.counts).toEqual([3, 0, 1, 2]);
    expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
