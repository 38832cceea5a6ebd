/** Charts of the HTML run report, drawn by ECharts' server-side SVG renderer (no DOM, no canvas). */
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import type { BatchLog, EpochLog, Evaluation } from '../../shared/dto';
import { debiasedEma } from '../../shared/analysis/smoothing';
import { thinKeepingExtremes } from '../../shared/analysis/thin';
import { batchX, epochOffset, epochX } from '../../shared/analysis/series';
import { rowNormalise } from '../../shared/analysis/evaluation';

const COLORS = { train: '#5470c6', trainEpoch: '#73c0de', val: '#ee6666', best: '#3ba272', lr: '#9a60b4' };

export function renderSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, backgroundColor: 'transparent', ...option });
    // Inline SVG in HTML needs no namespace; dropping it keeps the report free of any URL.
    return chart
      .renderToSVGString()
      .replace(/ xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')
      .replace(/xlink:href=/g, 'href=');
  } finally {
    chart.dispose();
  }
}

/** At most ~2000 points per curve in a static report (smoothing is computed on all of them first); spikes are kept. */
function thin(points: readonly [number, number][], max = 2000): [number, number][] {
  return thinKeepingExtremes(points, max, (p) => p[1]);
}

export function curveChart(
  kind: 'loss' | 'accuracy',
  epochs: readonly EpochLog[],
  batches: readonly BatchLog[],
  bestEpoch: number | null,
  labels: { title: string; train: string; smoothed: string; trainEpoch: string; val: string; best: string; epoch: string },
): string {
  const off = epochOffset(epochs, batches);
  const pick = (b: BatchLog) => (kind === 'loss' ? b.loss : b.accuracy);
  const raw = batches.map((b) => [batchX(b, off), pick(b)] as [number, number]);
  const smooth = debiasedEma(raw.map((p) => p[1]), 0.6).map((y, i) => [raw[i]![0], y] as [number, number]);
  const epochTrain = epochs.map((e) => [epochX(e, off), kind === 'loss' ? e.loss : e.accuracy]);
  const val = epochs
    .map((e) => [epochX(e, off), kind === 'loss' ? e.valLoss : e.valAccuracy] as [number, number | null])
    .filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]));
  const bx = bestEpoch === null ? null : bestEpoch + off;
  const bestPoint = bx === null ? undefined : val.find((p) => p[0] === bx);
  const percent = kind === 'accuracy';
  return renderSvg(
    {
      title: { text: labels.title, left: 8, top: 4, textStyle: { fontSize: 13 } },
      legend: { top: 4, right: 8, textStyle: { fontSize: 11 } },
      grid: { left: 52, right: 16, top: 36, bottom: 36 },
      xAxis: { type: 'value', name: labels.epoch, nameLocation: 'middle', nameGap: 22, min: 0, splitLine: { show: false } },
      yAxis: {
        type: 'value',
        scale: !percent,
        ...(percent ? { min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } } : {}),
      },
      series: [
        ...(raw.length
          ? [
              { name: labels.train, type: 'line' as const, data: thin(raw), showSymbol: false, lineStyle: { width: 1, opacity: 0.25 }, color: COLORS.train },
              { name: labels.smoothed, type: 'line' as const, data: thin(smooth), showSymbol: false, lineStyle: { width: 2 }, color: COLORS.train },
            ]
          : []),
        { name: labels.trainEpoch, type: 'line', data: epochTrain, symbolSize: 4, lineStyle: { type: 'dashed', width: 1.5 }, color: COLORS.trainEpoch },
        {
          name: labels.val,
          type: 'line',
          data: val,
          symbolSize: 5,
          lineStyle: { width: 2 },
          color: COLORS.val,
          markLine:
            bx === null
              ? undefined
              : { symbol: 'none', lineStyle: { color: COLORS.best, type: 'dashed' }, label: { formatter: `${labels.best} ${bx}`, color: COLORS.best }, data: [{ xAxis: bx }] },
          markPoint: bestPoint ? { symbol: 'circle', symbolSize: 10, itemStyle: { color: COLORS.best }, label: { show: false }, data: [{ name: 'best', coord: bestPoint }] } : undefined,
        },
      ],
    },
    720,
    300,
  );
}

export function lrChart(epochs: readonly EpochLog[], batches: readonly BatchLog[], labels: { title: string; epoch: string }): string {
  const off = epochOffset(epochs, batches);
  const pts = batches.length ? thin(batches.map((b) => [batchX(b, off), b.lr])) : epochs.map((e) => [epochX(e, off), e.lr]);
  const ys = pts.map((p) => p[1]!).filter((v) => v > 0);
  const log = ys.length > 0 && Math.max(...ys) / Math.min(...ys) > 20;
  return renderSvg(
    {
      title: { text: labels.title, left: 8, top: 4, textStyle: { fontSize: 13 } },
      grid: { left: 64, right: 16, top: 36, bottom: 36 },
      xAxis: { type: 'value', name: labels.epoch, nameLocation: 'middle', nameGap: 22, min: 0 },
      yAxis: { type: log ? 'log' : 'value', scale: true },
      series: [{ type: 'line', data: pts, showSymbol: false, step: 'end', color: COLORS.lr, lineStyle: { width: 2 } }],
    },
    720,
    220,
  );
}

export function confusionChart(evaluation: Evaluation, labels: { title: string; actual: string; predicted: string }): string {
  const n = evaluation.classes.length;
  const norm = rowNormalise(evaluation.confusion);
  const data: [number, number, number, number][] = [];
  evaluation.confusion.forEach((row, i) => row.forEach((count, j) => data.push([j, i, norm[i]![j]!, count])));
  const side = Math.min(720, Math.max(320, 60 + n * 48));
  return renderSvg(
    {
      title: { text: labels.title, left: 8, top: 4, textStyle: { fontSize: 13 } },
      grid: { left: 110, right: 24, top: 40, bottom: 90 },
      xAxis: { type: 'category', data: evaluation.classes, name: labels.predicted, nameLocation: 'middle', nameGap: 70, axisLabel: { rotate: n > 6 ? 45 : 0, interval: 0 } },
      yAxis: { type: 'category', data: evaluation.classes, name: labels.actual, nameLocation: 'middle', nameGap: 90, inverse: true, axisLabel: { interval: 0 } },
      visualMap: { show: false, min: 0, max: 1, dimension: 2, inRange: { color: ['#f3f6fb', '#5470c6', '#1f2d6b'] } },
      series: [
        {
          type: 'heatmap',
          data,
          label: {
            show: n <= 20,
            formatter: (p: { value?: unknown }) => String((p.value as number[])[3]),
            fontSize: n > 10 ? 9 : 12,
            color: '#fff',
            textBorderColor: 'rgba(0, 0, 0, 0.55)',
            textBorderWidth: 2,
          },
        },
      ],
    },
    side + 140,
    side + 60,
  );
}
