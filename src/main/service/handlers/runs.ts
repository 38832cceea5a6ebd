import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabHandlers } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { english, msg } from '../../../shared/messages';
import { getDataset } from '../../datasets';
import { getBackendInfo } from '../../engine/backend';
import { writeRunReport } from '../../report/run-report';
import { assertFitsInMemory, memoryBudget } from '../../training/memory-estimate';
import { createRun, deleteRun, listRuns, readRun, readRunSummary, renameRun } from '../../runs';
import type { ServiceContext } from '../context';
import type { RunManager } from '../run-manager';

export type RunHandlers = Pick<
  LabHandlers,
  'runs.start' | 'runs.list' | 'runs.get' | 'runs.stop' | 'runs.pause' | 'runs.resume' | 'runs.delete' | 'runs.rename' | 'runs.evaluate' | 'runs.report'
>;

export function runHandlers(ctx: ServiceContext, manager: RunManager): RunHandlers {
  const summary = (id: string) => readRunSummary(ctx.ws, id);
  return {
    'runs.start': async (config, engine) => {
      const dataset = await getDataset(ctx.ws, config.datasetId);
      // Refuse settings that cannot fit before a run exists, instead of a crash deep inside tfjs.
      assertFitsInMemory(config, { classes: dataset.classes.length, images: dataset.images }, memoryBudget(getBackendInfo()?.name ?? process.env.LAB_BACKEND ?? null));
      const run = await createRun(ctx.ws, config, {
        datasetName: dataset.name,
        classes: dataset.classes.map((c) => c.name),
        // the same words the training process records when it starts
        backend: engine?.engine === 'torch' ? english(msg('torch.labelPending', { n: engine.processes })) : (getBackendInfo()?.label ?? 'auto'),
        ...(engine ? { engine } : {}),
        datasetFingerprint: `${dataset.id}@${dataset.updatedAt}/${dataset.images}`,
      });
      await manager.enqueue(run.id, config);
      return run;
    },
    'runs.list': () => listRuns(ctx.ws),
    'runs.get': (id) => readRun(ctx.ws, id),
    'runs.stop': async (id) => {
      if (!manager.stop(id)) throw new LabError('BAD_ARGUMENT', msg('error.run.notRunning', { id }));
      return summary(id);
    },
    'runs.pause': async (id) => {
      if (!manager.pause(id)) throw new LabError('BAD_ARGUMENT', msg('error.run.cannotPause', { id }));
      return summary(id);
    },
    'runs.resume': async (id) => {
      if (manager.resume(id)) return summary(id);
      // Not active: continue an interrupted or stopped run from its last checkpoint.
      const detail = await readRun(ctx.ws, id);
      if (detail.status === 'completed') throw new LabError('BAD_ARGUMENT', msg('error.run.completed', { id }));
      if (manager.activeRunId === id || manager.isQueued(id)) return summary(id);
      await manager.enqueue(id, detail.config, true);
      return summary(id);
    },
    'runs.delete': async (id) => {
      if (manager.activeRunId === id) throw new LabError('BUSY', msg('error.run.training', { id }));
      manager.stop(id);
      await deleteRun(ctx.ws, id);
      return { deleted: true };
    },
    // Safe while the run trains: the training process re-reads run.json before each of its writes.
    'runs.rename': async (id, name) => {
      const run = await renameRun(ctx.ws, id, name);
      ctx.emit({ type: 'run.renamed', runId: id, name: run.name });
      return run;
    },
    'runs.report': async (id) => {
      const file = path.join(ctx.ws.runDir(id), 'report.html');
      await writeRunReport(await readRun(ctx.ws, id), file);
      return { file, html: await readFile(file, 'utf8') };
    },
    'runs.evaluate': async (id, datasetId) => {
      const detail = await readRun(ctx.ws, id);
      if (!detail.hasModel) throw new LabError('NOT_FOUND', msg('error.run.noModelId', { id }));
      return manager.evaluate(id, datasetId);
    },
  };
}
