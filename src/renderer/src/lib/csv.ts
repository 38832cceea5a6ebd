/**
 * Prediction results as CSV, built in the renderer (tsconfig.web cannot reach src/main, whose
 * predictions-csv.ts writes the CLI's CSV in the same layout): path, top-1, its probability, every class, error.
 */
import type { Prediction } from '../../../shared/dto';

/** RFC 4180 quoting: commas, quotes, line breaks and edge spaces get the field quoted, quotes doubled. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: (string | number)[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const prob = (p: number): string => (Number.isFinite(p) ? String(Number(p.toFixed(6))) : '');

/**
 * Class names in output order, from a prediction whose top list covers every class (topK ≥ classes).
 * Equal probabilities are matched left to right, as the engine's stable sort keeps label order.
 */
export function labelsFromPredictions(preds: Prediction[]): string[] | null {
  const full = preds.find((p) => p.probabilities && p.top.length === p.probabilities.length && p.top.length > 0);
  if (!full?.probabilities) return null;
  const labels: string[] = new Array<string>(full.probabilities.length);
  const taken = new Set<number>();
  for (const t of full.top) {
    const i = full.probabilities.findIndex((v, k) => !taken.has(k) && v === t.probability);
    if (i < 0) return null;
    taken.add(i);
    labels[i] = t.label;
  }
  return labels;
}

/** One row per image; a file the engine could not read has empty probabilities and its error message. */
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
  return toCsv([header, ...rows]);
}
