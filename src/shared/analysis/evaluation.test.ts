import { describe, expect, it } from 'vitest';
import { cellImages, margin, mostConfusedPairs, rowNormalise, uncertainImages } from './evaluation';

const evaluation = {
  classes: ['cat', 'dog', 'fox'],
  confusion: [
    [8, 2, 0],
    [5, 4, 1],
    [0, 0, 0],
  ],
  misclassified: [
    { index: 3, path: 'a', label: 'cat', predicted: 'dog', probabilities: [0.45, 0.55, 0] },
    { index: 7, path: 'b', label: 'dog', predicted: 'cat', probabilities: [0.9, 0.05, 0.05] },
    { index: 9, path: 'c', label: 'dog', predicted: 'fox', probabilities: [0.1, 0.42, 0.48] },
    { index: 11, path: 'd', label: 'cat', predicted: 'dog', probabilities: [0.2, 0.8, 0] },
  ],
};

describe('evaluation analysis', () => {
  it('row-normalises to recall per actual class and leaves empty rows at 0', () => {
    expect(rowNormalise(evaluation.confusion)).toEqual([
      [0.8, 0.2, 0],
      [0.5, 0.4, 0.1],
      [0, 0, 0],
    ]);
  });

  it('ranks the most confused pairs by count', () => {
    const pairs = mostConfusedPairs(evaluation);
    expect(pairs.map((p) => `${p.actual}→${p.predicted}:${p.count}`)).toEqual(['dog→cat:5', 'cat→dog:2', 'dog→fox:1']);
    expect(pairs[0]!.rate).toBeCloseTo(0.5, 12);
  });

  it('orders uncertain images by the gap between their two best classes', () => {
    expect(margin([0.1, 0.42, 0.48])).toBeCloseTo(0.06, 12);
    expect(uncertainImages(evaluation.misclassified).map((m) => m.index)).toEqual([9, 3, 11, 7]);
  });

  it('finds the images behind an off-diagonal cell', () => {
    expect(cellImages(evaluation, 0, 1).map((m) => m.index)).toEqual([3, 11]);
    expect(cellImages(evaluation, 1, 0).map((m) => m.index)).toEqual([7]);
    expect(cellImages(evaluation, 2, 0)).toEqual([]);
  });
});
