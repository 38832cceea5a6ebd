import path from 'node:path';
import type { CliContext } from '../context';
import { UsageError } from '../context';
import { resolveDataset } from '../dataset-arg';
import { buildTrainConfig, type TrainFlags } from '../train-config';
import { watchRun } from '../watch-run';
import { describeRun } from '../describe-run';
import { describeModel } from '../../../shared/model-choice';
import { EngineOptionsSchema, type EngineOptions } from '../../../shared/engine-options';
import { parseOrThrow } from '../../../shared/validation';

export interface EngineFlags {
  engine?: string;
  processes?: string;
  device?: string;
  launcher?: string;
  'command-template'?: string;
}

/** --engine and its companions → the engine options of runs.start (null: the lab's own engine, nothing said). */
export function engineOptionsFromFlags(flags: EngineFlags): EngineOptions | null {
  const given = flags.engine ?? flags.processes ?? flags.device ?? flags.launcher ?? flags['command-template'];
  if (given === undefined) return null;
  const raw: Record<string, unknown> = { engine: flags.engine ?? 'torch' };
  if (flags.processes !== undefined) raw.processes = Number(flags.processes);
  if (flags.device !== undefined) raw.device = flags.device;
  if (flags['command-template'] !== undefined) raw.commandTemplate = flags['command-template'];
  raw.launcher = flags.launcher ?? (flags['command-template'] !== undefined ? 'template' : 'local');
  const options = parseOrThrow(EngineOptionsSchema, raw, 'engine options', 'BAD_CONFIG');
  if (options.engine === 'lab' && (flags.processes ?? flags.device ?? flags.launcher ?? flags['command-template']) !== undefined) {
    throw new UsageError('--processes, --device, --launcher and --command-template go with --engine torch.');
  }
  return options;
}

export async function trainCommand(ctx: CliContext, positionals: string[], flags: TrainFlags & EngineFlags & { out?: string }): Promise<void> {
  const [dir] = positionals;
  if (!dir) throw new UsageError('lab train needs a dataset folder (or the id of an imported dataset).');
  const engine = engineOptionsFromFlags(flags);
  const dataset = await resolveDataset(ctx, dir);
  const config = await buildTrainConfig(dataset.id, flags, null, dataset);
  const run = await ctx.lab.call('runs.start', config, ...(engine ? [engine] : []));
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

/** lab resume <run>: continue a stopped or interrupted run from its last checkpoint, with the engine it started with. */
export async function resumeCommand(ctx: CliContext, positionals: string[]): Promise<void> {
  const [runId] = positionals;
  if (!runId) throw new UsageError('lab resume needs a run id (see the runs folder of the workspace).');
  const before = await ctx.lab.call('runs.get', runId);
  await ctx.lab.call('runs.resume', runId);
  ctx.out.emit({ type: 'info', message: `Resuming run ${runId} after epoch ${before.epochsDone} of ${before.epochs}.` });
  const detail = await watchRun(ctx, runId, before.epochs);
  ctx.out.emit({ type: 'result', runId, status: detail.status, epochsDone: detail.epochsDone, bestEpoch: detail.bestEpoch, bestValAccuracy: detail.bestValAccuracy, testAccuracy: detail.testAccuracy, runDir: ctx.service.ctx.ws.runDir(runId), exportDir: null });
  ctx.out.text(describeRun(detail, ctx.service.ctx.ws.runDir(runId)));
}
