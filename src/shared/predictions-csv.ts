/** Batch predictions as CSV (RFC 4180 quoting): path, top-1, its probability, every class's probability, error. */
import type { Prediction } from './dto';

export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function prob(p: number): string {
  return Number.isFinite(p) ? String(Number(p.toFixed(6))) : '';
}

/**
 * The class names in output order, recovered from a prediction whose top list covers every class (ask for
 * topK ≥ the number of classes): top entries are sorted stably, so equal probabilities keep label order.
 */
export function labelsFromPredictions(preds: Prediction[]): string[] | null {
  const full = preds.find((p) => p.probabilities && p.top.length === p.probabilities.length && p.top.length > 0);
  if (!full?.probabilities) return null;
  const labels: string[] = new Array(full.probabilities.length);
  const taken = new Set<number>();
  for (const t of full.top) {
    const i = full.probabilities.findIndex((v, k) => !taken.has(k) && v === t.probability);
    if (i < 0) return null;
    taken.add(i);
    labels[i] = t.label;
  }
  return labels;
}

/** labels: the model's classes in output order (labelsFromPredictions recovers them from a full top-k). */
export function predictionsToCsv(preds: Prediction[], labels: string[]): string {
  const header = ['path', 'top1', 'probability', ...labels, 'error'];
  const rows = preds.map((p) => {
    const best = p.top[0];
    const all = labels.map((label, i) => {
      const v = p.probabilities?.[i] ?? p.top.find((t) => t.label === label)?.probability;
      return v === undefined ? '' : prob(v);
    });
    return [p.path, best?.label ?? '', best ? prob(best.probability) : '', ...all, p.error?.message ?? ''];
  });
  // RFC 4180 line breaks, which spreadsheet programs on every platform read.
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
