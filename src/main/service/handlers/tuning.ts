/**
 * tuning.* calls: the six-step guide and the search run in a training process of their own (a 'tune' job), never
 * in this process. The state lives in tuning/<id>/state.json, written by the worker after every step / row, so
 * `tuning.get` reads the disk and a tune interrupted by a crash can be resumed with `resumeId`.
 */
import type { LabHandlers } from '../../../shared/contract';
import { LabError, type LabErrorData } from '../../../shared/errors';
import { msg } from '../../../shared/messages';
import type { TuneState, TuningState } from '../../../shared/tuning';
import { getDataset } from '../../datasets';
import { listTunings, newSearchState, newTuneId, newTuneState, normaliseSteps, pendingSteps, readTuneState, writeTuneState } from '../../tuning';
import type { WorkerHandle, WorkerLauncher } from '../../worker/protocol';
import type { ServiceContext } from '../context';
import { assertFitsInMemory, memoryBudget } from '../../training/memory-estimate';
import { getBackendInfo } from '../../engine/backend';

export type TuningHandlers = Pick<LabHandlers, 'tuning.start' | 'tuning.search' | 'tuning.get' | 'tuning.list' | 'tuning.stop'>;

const interrupted = (state: TuningState): LabErrorData => ({
  code: 'TRAINING_FAILED',
  message:
    state.kind === 'guide'
      ? `The tune was interrupted (its training process ended). Start it again with resumeId "${state.id}" to continue at step ${pendingSteps(state, false)[0] ?? '–'}.`
      : 'The search was interrupted (its training process ended); its finished rows are kept.',
  details: { interrupted: true },
});

export function tuningHandlers(ctx: ServiceContext, launch: WorkerLauncher): TuningHandlers & { dispose(): void } {
  const active = new Map<string, WorkerHandle>();

  /** What the disk says, except that a tune marked running with no process here shows as interrupted. */
  const view = (state: TuningState): TuningState =>
    state.status === 'running' && !active.has(state.id) ? { ...state, status: 'failed', error: state.error ?? interrupted(state) } : state;

  const start = (state: TuningState, rerun: boolean): TuningState => {
    if (active.has(state.id)) throw new LabError('BUSY', msg('error.tuning.busy', { id: state.id }));
    state.status = 'running';
    delete state.error;
    writeTuneState(ctx.ws, state);
    const handle = launch();
    active.set(state.id, handle);
    let settled = false;
    handle.onMessage((m) => {
      if (m.type === 'event') {
        ctx.emit(m.event);
        if (m.event.type === 'tune.status' && m.event.tuneId === state.id && m.event.status !== 'running') settle();
      } else if (m.type === 'failed' && !settled) {
        settle();
        fail(state.id, m.error);
      }
    });
    // Once the tune has ended the process is only exiting: the tune may be started (resumed) again at once.
    const settle = (): void => {
      settled = true;
      if (active.get(state.id) === handle) active.delete(state.id);
    };
    handle.onExit((_code, _signal, reason) => {
      if (active.get(state.id) === handle) active.delete(state.id);
      if (!settled) fail(state.id, { code: 'TRAINING_FAILED', message: `The tuning process ${reason}\n${interrupted(state).message}` });
    });
    handle.send({ type: 'tune', tuneId: state.id, workspace: ctx.ws.root, rerun });
    return state;
  };

  const fail = (id: string, error: LabErrorData): void => {
    try {
      const s = readTuneState(ctx.ws, id);
      s.status = 'failed';
      s.error = error;
      writeTuneState(ctx.ws, s);
    } catch {
      // the state file is gone: nothing to mark
    }
    ctx.emit({ type: 'tune.status', tuneId: id, status: 'failed', error, message: error.message });
  };

  return {
    'tuning.start': async (req) => {
      if (req.resumeId) {
        const state = readTuneState(ctx.ws, req.resumeId);
        if (state.kind !== 'guide') throw new LabError('BAD_ARGUMENT', msg('tuning.resumeNotGuide', { id: req.resumeId }));
        if (state.datasetId !== req.config.datasetId) throw new LabError('BAD_ARGUMENT', msg('tuning.resumeOtherDataset', { id: req.resumeId, tuned: state.datasetId, given: req.config.datasetId }));
        // Finished steps are kept; the settings and budgets are the ones sent now (e.g. a lower LR after a failed step 2).
        const resumed: TuneState = { ...state, config: req.config, budgets: req.budgets, ...(req.steps ? { steps: normaliseSteps(req.steps) } : {}) };
        return start(resumed, req.rerun);
      }
      const dataset = await getDataset(ctx.ws, req.config.datasetId);
      assertFitsInMemory(req.config, { classes: dataset.classes.length, images: dataset.images }, memoryBudget(getBackendInfo()?.name ?? process.env.LAB_BACKEND ?? null));
      return start(newTuneState(newTuneId('guide'), req, dataset.name), req.rerun);
    },
    'tuning.search': async (req) => {
      const dataset = await getDataset(ctx.ws, req.config.datasetId);
      assertFitsInMemory(req.config, { classes: dataset.classes.length, images: dataset.images }, memoryBudget(getBackendInfo()?.name ?? process.env.LAB_BACKEND ?? null));
      return start(newSearchState(newTuneId('search'), req, dataset.name), false);
    },
    'tuning.get': async (id) => view(readTuneState(ctx.ws, id)),
    'tuning.list': async () =>
      listTunings(ctx.ws).map((s) => (s.status === 'running' && !active.has(s.id) ? { ...s, status: 'failed' as const } : s)),
    'tuning.stop': async (id) => {
      const handle = active.get(id);
      if (!handle) return { stopped: false };
      handle.send({ type: 'stop' });
      return { stopped: true };
    },
    dispose: () => {
      for (const h of active.values()) h.kill();
      active.clear();
    },
  };
}
