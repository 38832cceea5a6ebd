import { echarts, type EChartsInstance } from './echarts';

/** Saves what a chart shows as a PNG (from its canvas) or an SVG (re-drawn off-screen by the SVG renderer). */
export function chartImage(chart: EChartsInstance, type: 'png' | 'svg', background: string): Blob {
  if (type === 'png') {
    const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: background, excludeComponents: ['toolbox', 'dataZoom'] });
    return dataUrlToBlob(url);
  }
  const svgChart = echarts.init(null, undefined, { renderer: 'svg', ssr: true, width: chart.getWidth(), height: chart.getHeight() });
  try {
    const option = chart.getOption() as Record<string, unknown>;
    // Keep the zoom window the user chose, but as 'inside' zoom so no slider is drawn into the picture.
    const zooms = Array.isArray(option.dataZoom) ? (option.dataZoom as Record<string, unknown>[]) : [];
    const dataZoom = zooms.map((z) => ({ ...z, type: 'inside' }));
    svgChart.setOption({ ...option, dataZoom, animation: false, backgroundColor: background, toolbox: { show: false } });
    return new Blob([svgChart.renderToSVGString()], { type: 'image/svg+xml' });
  } finally {
    svgChart.dispose();
  }
}

export function downloadChart(chart: EChartsInstance, type: 'png' | 'svg', name: string, background: string): void {
  const blob = chartImage(chart, type, background);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.${type}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function dataUrlToBlob(url: string): Blob {
  const [head, body = ''] = url.split(',');
  const mime = /data:([^;]+)/.exec(head ?? '')?.[1] ?? 'image/png';
  const bin = atob(body);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: mime });
}
