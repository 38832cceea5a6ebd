import type { LineSeriesOption } from 'echarts/charts';
import type { ChartOption } from './echarts';

/** Colours chosen to read on both light and dark backgrounds. */
export const palette = {
  train: '#5470c6',
  trainEpoch: '#73c0de',
  val: '#ee6666',
  best: '#3ba272',
  lr: '#9a60b4',
  speed: '#91cc75',
  time: '#fc8452',
};

/** Distinct colours for comparing runs (one per run). */
export const runColors = ['#5470c6', '#ee6666', '#3ba272', '#fac858', '#9a60b4', '#fc8452', '#73c0de', '#ea7ccc', '#91cc75', '#c23531'];

export interface LineLook {
  width?: number;
  opacity?: number;
  /** Many points: LTTB sampling, no symbols, progressive rendering. */
  big?: boolean;
  symbols?: boolean;
  dashed?: boolean;
  step?: boolean;
  yAxisIndex?: number;
}

export function lineSeries(id: string, name: string, color: string, look: LineLook = {}): LineSeriesOption {
  return {
    id,
    name,
    type: 'line',
    data: [],
    color,
    yAxisIndex: look.yAxisIndex ?? 0,
    showSymbol: look.symbols ?? false,
    symbolSize: 5,
    step: look.step ? 'end' : false,
    lineStyle: { width: look.width ?? 1.5, opacity: look.opacity ?? 1, type: look.dashed ? 'dashed' : 'solid' },
    emphasis: { disabled: look.big ?? false },
    // Largest-triangle-three-buckets keeps the shape of 100k points while drawing about one per pixel.
    // Big series arrive as interleaved Float64Arrays, which ECharts reads only with named dimensions.
    ...(look.big ? { sampling: 'lttb' as const, progressive: 5000, progressiveThreshold: 20000, dimensions: ['x', 'y'] } : {}),
    animation: false,
    connectNulls: false,
  };
}

export function baseAxisOption(xName: string, y: { max?: number; percent?: boolean } = {}): Pick<ChartOption, 'xAxis' | 'yAxis'> {
  return {
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 24, min: 0, splitLine: { show: false } },
    yAxis: {
      type: 'value',
      scale: !y.percent,
      min: y.percent ? 0 : undefined,
      max: y.max,
      axisLabel: y.percent ? { formatter: (v: number) => `${Math.round(v * 100)}%` } : {},
    },
  };
}
