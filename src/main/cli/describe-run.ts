import type { RunDetail } from '../../shared/dto';

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

export function describeRun(d: RunDetail, dir: string): string {
  const lines = [
    `Run ${d.id} ${d.status}: ${d.epochsDone}/${d.epochs} epochs on ${d.backend}`,
    `  best epoch ${d.bestEpoch ?? '–'} · val accuracy ${pct(d.bestValAccuracy)} · val loss ${d.bestValLoss?.toFixed(4) ?? '–'}`,
  ];
  if (d.evaluation) {
    const e = d.evaluation;
    lines.push(`  test accuracy ${pct(e.accuracy)} on ${e.confusion.flat().reduce((a, b) => a + b, 0)} images · loss ${e.loss.toFixed(4)}`);
    const worst = [...e.perClass].sort((a, b) => a.f1 - b.f1).slice(0, 3);
    lines.push(`  weakest classes: ${worst.map((c) => `${c.name} (F1 ${c.f1.toFixed(2)})`).join(', ')}`);
  }
  lines.push(`  folder: ${dir}`);
  return lines.join('\n');
}
