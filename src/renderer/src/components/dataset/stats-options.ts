/** ECharts options for the dataset statistics, kept out of the component so they can be tested as data. */
import type { ChartOption } from '../../charts/echarts';
import type { ClassSummary, HistogramBin, SplitName } from '../../../../shared/dto';

export const SPLITS: SplitName[] = ['train', 'val', 'test'];

/** Images per class as one bar per class, stacked by split (a split with no images anywhere is left out). */
export function classBarOption(classes: ClassSummary[], splitLabel: (s: SplitName) => string): ChartOption {
  const used = SPLITS.filter((s) => classes.some((c) => c.counts[s] > 0));
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, left: 0 },
    grid: { left: 44, right: 16, top: 32, bottom: classes.length > 8 ? 64 : 28 },
    xAxis: { type: 'category', data: classes.map((c) => c.name), axisLabel: { interval: 0, rotate: classes.length > 8 ? 40 : 0, hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: used.map((s) => ({ id: s, name: splitLabel(s), type: 'bar' as const, stack: 'images', data: classes.map((c) => c.counts[s]) })),
  };
}

/** "from–to" for a bin, in whole numbers when the edges are whole. */
export function binLabel(b: HistogramBin): string {
  const f = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  return `${f(b.from)}–${f(b.to)}`;
}

/** One histogram as bars over its bins. */
export function histogramOption(bins: HistogramBin[], name: string, color: string): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 12, top: 24, bottom: 40 },
    xAxis: { type: 'category', name, nameLocation: 'middle', nameGap: 26, data: bins.map(binLabel), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ id: 'bins', name, type: 'bar', barCategoryGap: '4%', itemStyle: { color }, data: bins.map((b) => b.count) }],
  };
}

/** Entries of a count record, largest first. */
export function byCount(record: Record<string, number>): [string, number][] {
  return Object.entries(record)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
