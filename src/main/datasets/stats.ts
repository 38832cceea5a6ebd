/** Dataset statistics for the summary view, and advice from them in the spirit of the source document (chapter 4). */
import type { DatasetStats, HistogramBin } from '../../shared/dto';
import type { Manifest } from './manifest';
import { chooseModel, suggestBalance } from '../../shared/model-choice';
import { english, msg, type LabMessage } from '../../shared/messages';

const SIDE_EDGES = [1, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 8192];
const ASPECT_EDGES = [0, 0.5, 0.67, 0.8, 0.95, 1.05, 1.25, 1.5, 2];
const BYTE_EDGES = [0, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

/** Counts per [edge_i, edge_i+1); the last bin is open-ended (its `to` is the largest value + 1). Empty tails trimmed. */
export function histogram(values: number[], edges: number[]): HistogramBin[] {
  if (values.length === 0) return [];
  const max = values.reduce((a, b) => Math.max(a, b), -Infinity);
  const bins: HistogramBin[] = edges.map((from, i) => ({ from, to: edges[i + 1] ?? Math.max(from, max) + 1, count: 0 }));
  for (const v of values) {
    let i = bins.length - 1;
    while (i > 0 && v < bins[i]!.from) i--;
    bins[i]!.count++;
  }
  let a = 0;
  let b = bins.length;
  while (a < b && bins[a]!.count === 0) a++;
  while (b > a && bins[b - 1]!.count === 0) b--;
  return bins.slice(a, b);
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

function tally(values: (string | number | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) if (v !== null) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

export function suggestInputSize(medianShortSide: number | null): number {
  if (medianShortSide === null) return 32;
  if (medianShortSide <= 64) return Math.max(8, Math.round(medianShortSide));
  return [224, 160, 128, 96, 64].find((s) => s <= medianShortSide) ?? 64;
}

export function computeStats(manifest: Manifest): DatasetStats {
  const ok = manifest.items.filter((it) => it.status === 'ok');
  const widths = ok.map((it) => it.width).filter((v): v is number => v !== null);
  const heights = ok.map((it) => it.height).filter((v): v is number => v !== null);
  const shortSides = ok.filter((it) => it.width && it.height).map((it) => Math.min(it.width!, it.height!));
  const aspects = ok.filter((it) => it.width && it.height).map((it) => it.width! / it.height!);
  const totals = manifest.summary.classes.map((c) => c.counts.train + c.counts.val + c.counts.test);
  const imbalanceRatio = totals.length && Math.min(...totals) > 0 ? Math.max(...totals) / Math.min(...totals) : 0;
  const grey = ok.filter((it) => it.channels !== null && it.channels <= 2).length;
  const suggestedChannels: 1 | 3 = ok.length > 0 && grey / ok.length >= 0.95 ? 1 : 3;
  const medShort = median(shortSides);
  const suggestedInputSize = suggestInputSize(medShort);
  const n = ok.length;
  const advice: LabMessage[] = [];
  const mw = median(widths);
  const mh = median(heights);
  if (mw !== null && mh !== null) {
    advice.push(msg(suggestedChannels === 1 ? 'dataset.advice.inputGrey' : 'dataset.advice.inputRgb', { width: mw, height: mh, size: suggestedInputSize }));
    if (suggestedInputSize <= 32) advice.push(msg('dataset.advice.inputSmallNote'));
  }
  if (n < 1000) {
    advice.push(msg('dataset.advice.fewImages', { count: n }));
  } else if (n < 20000) {
    advice.push(msg('dataset.advice.someImages', { count: n.toLocaleString('en') }));
  } else {
    advice.push(msg('dataset.advice.manyImages', { count: n.toLocaleString('en') }));
  }
  if (imbalanceRatio >= 5) advice.push(msg('dataset.advice.imbalance', { ratio: imbalanceRatio.toFixed(1) }));
  // The lab's own remedies: the balance setting the ratio calls for, and the model `model: auto` will pick.
  const balance = suggestBalance(imbalanceRatio);
  if (balance.reason) advice.push(balance.reason);
  const sorted = [...totals].sort((a, b) => a - b);
  const facts = { channels: suggestedChannels, medianWidth: mw, medianHeight: mh, perClass: sorted[Math.floor(sorted.length / 2)] ?? 0, classes: totals.length, images: n, suggestedInputSize, imbalanceRatio };
  if (mw !== null && mh !== null) advice.push(chooseModel(facts).reason);
  return {
    imbalanceRatio: Math.round(imbalanceRatio * 100) / 100,
    widths: histogram(widths, SIDE_EDGES),
    heights: histogram(heights, SIDE_EDGES),
    aspectRatios: histogram(aspects, ASPECT_EDGES),
    fileSizes: histogram(ok.map((it) => it.size), BYTE_EDGES),
    medianWidth: mw,
    medianHeight: mh,
    channels: tally(ok.map((it) => it.channels)),
    formats: tally(ok.map((it) => it.format)),
    problemsByReason: tally(manifest.summary.problems.map((p) => p.reason)),
    suggestedInputSize,
    suggestedChannels,
    advice: advice.map(english),
    adviceMsgs: advice,
  };
}
