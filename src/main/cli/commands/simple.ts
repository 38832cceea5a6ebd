/** The short commands: import, evaluate, export, predict, doctor. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { formatMessage, localize, msg } from '../../../shared/messages';
import type { CliContext } from '../context';
import { UsageError } from '../context';
import { describeDataset, importWithProgress } from '../dataset-arg';
import { labelsFromPredictions, predictionsToCsv } from '../../predict';
import { prepareHeatmaps } from './predict-heatmaps';

export async function importCommand(ctx: CliContext, positionals: string[], flags: { name?: string }): Promise<void> {
  if (!positionals.length) throw new UsageError('lab import needs at least one folder.');
  const summary = await importWithProgress(ctx, positionals.map((p) => path.resolve(p)), flags.name);
  ctx.out.emit({ type: 'result', dataset: summary });
  ctx.out.text(describeDataset(summary));
}

export async function evaluateCommand(ctx: CliContext, positionals: string[]): Promise<void> {
  const [runId, dir] = positionals;
  if (!runId) throw new UsageError('lab evaluate needs a run id (see the runs folder of the workspace).');
  // Another folder (class subfolders named like the run's classes) is imported first, then evaluated whole.
  const other = dir ? await importWithProgress(ctx, [path.resolve(dir)]) : null;
  const ev = await ctx.lab.call('runs.evaluate', runId, ...(other ? [other.id] : []));
  ctx.out.emit({ type: 'result', evaluation: ev });
  const rows = ev.perClass.map((c) => `  ${c.name.padEnd(20)} precision ${c.precision.toFixed(2)} recall ${c.recall.toFixed(2)} F1 ${c.f1.toFixed(2)} (${c.support})`);
  ctx.out.text(`${other ? `Accuracy on ${dir} (${other.images} images)` : 'Test accuracy'} ${(ev.accuracy * 100).toFixed(2)}% · loss ${ev.loss.toFixed(4)}\n${rows.join('\n')}`);
}

export async function exportCommand(ctx: CliContext, positionals: string[], flags: { format?: string; out?: string; quantize?: string; calibration?: string }): Promise<void> {
  const [runId] = positionals;
  if (!runId) throw new UsageError('lab export needs a run id.');
  const calibration = flags.calibration === undefined ? undefined : Number(flags.calibration);
  if (calibration !== undefined && (!Number.isInteger(calibration) || calibration < 1)) throw new UsageError(`--calibration must be a whole number ≥ 1, got "${flags.calibration}".`);
  const result = await ctx.lab.call('runs.export', {
    runId,
    format: (flags.format ?? 'tfjs') as 'tfjs',
    quantize: (flags.quantize ?? 'none') as 'none',
    ...(flags.out ? { outDir: path.resolve(flags.out) } : {}),
    ...(calibration !== undefined ? { calibration } : {}),
  });
  ctx.out.emit({ type: 'result', export: result });
  ctx.out.text(`Exported ${result.format} model to ${result.dir}\n${result.files.map((f) => '  ' + f).join('\n')}`);
}

export async function predictCommand(ctx: CliContext, positionals: string[], flags: { top?: string; csv?: string; heatmap?: boolean; out?: string }): Promise<void> {
  const [model, ...paths] = positionals;
  if (!model || !paths.length) throw new UsageError('lab predict needs a model (export folder or run id) and at least one image or folder.');
  const topK = flags.top ? Number(flags.top) : 3;
  if (!Number.isInteger(topK) || topK < 1) throw new UsageError(`--top must be a whole number ≥ 1, got "${flags.top}".`);
  const modelRef = path.isAbsolute(model) || model.includes(path.sep) || model.startsWith('.') ? path.resolve(model) : model;
  const heatmaps = await prepareHeatmaps(ctx, flags);
  // For a CSV every class's probability is needed, so ask for all of them.
  const off = ctx.service.onEvent((e) => {
    if (e.type === 'predict.progress' && e.total > 1) ctx.out.emit({ type: 'progress', phase: 'predict', done: e.done, total: e.total, ratePerS: e.ratePerS });
  });
  let preds;
  try {
    preds = await ctx.lab.call('models.predict', { model: modelRef, paths: paths.map((p) => path.resolve(p)), topK: flags.csv ? 100 : topK, heatmap: !!heatmaps });
  } finally {
    off();
  }
  const heatmapLines = heatmaps ? await heatmaps.write(preds) : '';
  if (flags.csv) {
    const labels = labelsFromPredictions(preds);
    if (!labels) throw new LabError('BAD_ARGUMENT', msg('error.predict.noneClassifiedCsv'));
    await writeFile(flags.csv, predictionsToCsv(preds, labels));
    for (const p of preds) p.top = p.top.slice(0, topK);
  }
  for (const p of preds) ctx.out.emit({ type: 'result', prediction: p });
  ctx.out.text(
    preds
      .map((p) => (p.error ? `${p.path}: ${p.error.message}` : `${p.path}: ${p.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`).join(', ')}`))
      .join('\n') +
      (flags.csv ? `\nCSV written to ${flags.csv}` : '') +
      heatmapLines,
  );
  if (preds.every((p) => p.error)) throw new LabError('BAD_ARGUMENT', msg('error.predict.noneClassified'));
}

export async function reportCommand(ctx: CliContext, positionals: string[], flags: { out?: string }): Promise<void> {
  const [runId] = positionals;
  if (!runId) throw new UsageError('lab report needs a run id.');
  const report = await ctx.lab.call('runs.report', runId);
  let file = report.file;
  if (flags.out) {
    file = path.resolve(flags.out);
    await writeFile(file, report.html);
  }
  ctx.out.emit({ type: 'result', report: file });
  ctx.out.text(`Run report written to ${file} (one self-contained HTML file: open it in any browser).`);
}

export async function doctorCommand(ctx: CliContext): Promise<void> {
  const r = await ctx.lab.call('engine.doctor');
  ctx.out.emit({ type: 'result', doctor: r });
  const say = (english: string, m: Parameters<typeof localize>[1]): string => localize(english, m, ctx.locale);
  const cands = r.backend.candidates.map((c) => `  ${c.loaded ? '✓' : '✗'} ${c.name.padEnd(15)} ${c.package.padEnd(32)} ${c.reason ? say(c.reason, c.reasonMsg) : ''}`);
  const checks = r.checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${say(c.name, c.nameMsg)}: ${say(c.detail, c.detailMsg)}`);
  const b = r.backend;
  const f = (m: ReturnType<typeof msg>): string => formatMessage(m, ctx.locale);
  ctx.out.text(
    [
      `Image-classification lab ${r.version} · Node ${r.node} · ${r.platform}/${r.arch} · ${r.cpus} CPUs · ${r.memoryGiB} GiB`,
      f(msg('cli.doctor.backend', { label: say(b.label, b.labelMsg), name: b.name, device: b.device, threads: b.threads })) + (b.forcedBy ? ` — ${b.forcedBy}` : ''),
      f(msg('cli.doctor.tried')),
      ...cands,
      f(msg('cli.doctor.checks')),
      ...checks,
    ].join('\n'),
  );
}
