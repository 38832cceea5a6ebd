import { describe, expect, it } from 'vitest';
import { binLabel, byCount, classBarOption, histogramOption } from './stats-options';

describe('dataset statistics charts', () => {
  it('stacks the images of each class by split and leaves out an empty split', () => {
    const opt = classBarOption(
      [
        { name: 'cat', counts: { train: 8, val: 2, test: 0 } },
        { name: 'dog', counts: { train: 4, val: 1, test: 0 } },
      ],
      (s) => s.toUpperCase(),
    );
    const series = opt.series as { name: string; stack: string; data: number[] }[];
    expect(series.map((s) => s.name)).toEqual(['TRAIN', 'VAL']);
    expect(series.every((s) => s.stack === series[0]!.stack)).toBe(true);
    expect(series[0]!.data).toEqual([8, 4]);
    expect((opt.xAxis as { data: string[] }).data).toEqual(['cat', 'dog']);
  });

  it('draws a histogram bar per bin, labelled by its edges', () => {
    const opt = histogramOption(
      [
        { from: 0, to: 16, count: 3 },
        { from: 16, to: 32, count: 9 },
      ],
      'Widths',
      '#000',
    );
    expect((opt.xAxis as { data: string[] }).data).toEqual(['0–16', '16–32']);
    expect((opt.series as { data: number[] }[])[0]!.data).toEqual([3, 9]);
    expect(binLabel({ from: 0.5, to: 1.25, count: 1 })).toBe('0.50–1.25');
  });

  it('lists counts largest first without zeros', () => {
    expect(byCount({ png: 3, jpeg: 10, gif: 0 })).toEqual([
      ['jpeg', 10],
      ['png', 3],
    ]);
  });
});
