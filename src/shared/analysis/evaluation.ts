import type { Evaluation, Misclassified } from '../dto';

/** Reading an evaluation: normalised confusion rows, the pairs most often mixed up, the least certain images. */

/** Each row divided by its total (recall per actual class); empty rows stay 0. */
export function rowNormalise(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}

export interface ConfusedPair {
  actual: string;
  predicted: string;
  actualIndex: number;
  predictedIndex: number;
  count: number;
  /** Share of the actual class predicted as the other one. */
  rate: number;
}

export function mostConfusedPairs(evaluation: Pick<Evaluation, 'classes' | 'confusion'>, limit = 5): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  const { classes, confusion } = evaluation;
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      if (i !== j && count > 0) {
        pairs.push({ actual: classes[i] ?? String(i), predicted: classes[j] ?? String(j), actualIndex: i, predictedIndex: j, count, rate: total ? count / total : 0 });
      }
    });
  });
  return pairs.sort((a, b) => b.count - a.count || b.rate - a.rate).slice(0, limit);
}

/** Top-1 minus top-2 probability: small means the model hesitated between two classes. */
export function margin(probabilities: readonly number[]): number {
  let a = -Infinity;
  let b = -Infinity;
  for (const p of probabilities) {
    if (p > a) {
      b = a;
      a = p;
    } else if (p > b) b = p;
  }
  if (!Number.isFinite(a)) return 0;
  return Number.isFinite(b) ? a - b : a;
}

export function uncertainImages(items: readonly Misclassified[], limit = 12): (Misclassified & { margin: number })[] {
  return items
    .map((m) => ({ ...m, margin: margin(m.probabilities) }))
    .sort((x, y) => x.margin - y.margin)
    .slice(0, limit);
}

/** The images behind one confusion-matrix cell (actual row, predicted column) among the recorded ones. */
export function cellImages(evaluation: Pick<Evaluation, 'classes' | 'misclassified'>, actual: number, predicted: number): Misclassified[] {
  const a = evaluation.classes[actual];
  const p = evaluation.classes[predicted];
  return evaluation.misclassified.filter((m) => m.label === a && m.predicted === p);
}
