import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DatasetSummary } from '../../shared/dto';
import type { CliContext } from './context';

/** A dataset argument is a folder to import (again: only changed files are read) or the id of an imported dataset. */
export async function resolveDataset(ctx: CliContext, arg: string): Promise<DatasetSummary> {
  if (existsSync(arg)) return importWithProgress(ctx, [path.resolve(arg)]);
  const known = await ctx.lab.call('datasets.list');
  const match = known.find((d) => d.id === arg || d.name === arg);
  if (match) return match;
  return importWithProgress(ctx, [path.resolve(arg)]); // lets the importer say the path does not exist
}

export async function importWithProgress(ctx: CliContext, paths: string[], name?: string): Promise<DatasetSummary> {
  const off = ctx.service.onEvent((e) => {
    if (e.type === 'import.progress') ctx.out.emit({ type: 'progress', phase: e.phase, done: e.done, total: e.total, ratePerS: e.ratePerS, etaS: e.etaS });
  });
  try {
    const summary = await ctx.lab.call('datasets.import', { paths, ...(name ? { name } : {}) });
    summary.warnings.forEach((w, i) => {
      const m = summary.warningMsgs?.[i];
      ctx.out.emit({ type: 'warning', message: w, ...(m ? { msg: m } : {}) });
    });
    return summary;
  } finally {
    off();
  }
}

export function describeDataset(d: DatasetSummary): string {
  const rows = d.classes.map((c) => `  ${c.name.padEnd(24)} ${String(c.counts.train).padStart(7)} ${String(c.counts.val).padStart(7)} ${String(c.counts.test).padStart(7)}`);
  const bad = d.problems.length ? `\n${d.problems.length} file problem(s):\n` + d.problems.slice(0, 10).map((p) => `  ${p.path}: ${p.message}`).join('\n') + (d.problems.length > 10 ? `\n  … and ${d.problems.length - 10} more (lab import --json lists all)` : '') : '';
  return `Dataset "${d.name}" (${d.id}, ${d.layout}): ${d.images} images in ${d.classes.length} classes\n  ${'class'.padEnd(24)} ${'train'.padStart(7)} ${'val'.padStart(7)} ${'test'.padStart(7)}\n${rows.join('\n')}${bad}`;
}
