import path from 'node:path';
import type { CliContext } from '../context';
import { UsageError } from '../context';
import { resolveDataset } from '../dataset-arg';
import { buildTrainConfig, type TrainFlags } from '../train-config';
import { watchRun } from '../watch-run';
import { describeRun } from '../describe-run';
import { describeModel } from '../../../shared/model-choice';

export async function trainCommand(ctx: CliContext, positionals: string[], flags: TrainFlags & { out?: string }): Promise<void> {
  const [dir] = positionals;
  if (!dir) throw new UsageError('lab train needs a dataset folder (or the id of an imported dataset).');
  const dataset = await resolveDataset(ctx, dir);
  const config = await buildTrainConfig(dataset.id, flags, null, dataset);
  const run = await ctx.lab.call('runs.start', config);
  if (config.modelChoice) ctx.out.emit({ type: 'info', message: `Model (auto): ${describeModel(config)}. ${config.modelChoice.reason}` });
  ctx.out.emit({ type: 'info', message: `Run ${run.id}: ${config.epochs} epochs on "${dataset.name}" (${ctx.service.ctx.ws.runDir(run.id)})` });
  const detail = await watchRun(ctx, run.id, config.epochs);
  let exportDir: string | null = null;
  if (flags.out) {
    const exported = await ctx.lab.call('runs.export', { runId: run.id, format: 'tfjs', outDir: path.resolve(flags.out), quantize: 'none' });
    exportDir = exported.dir;
  }
  ctx.out.emit({ type: 'result', runId: run.id, status: detail.status, epochsDone: detail.epochsDone, bestEpoch: detail.bestEpoch, bestValAccuracy: detail.bestValAccuracy, testAccuracy: detail.testAccuracy, runDir: ctx.service.ctx.ws.runDir(run.id), exportDir });
  ctx.out.text(describeRun(detail, ctx.service.ctx.ws.runDir(run.id)) + (exportDir ? `\nModel exported to ${exportDir}` : ''));
}
