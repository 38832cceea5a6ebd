/**
 * The six steps as one resumable workflow. After each step its result is written (atomically) to
 * tuning/<id>/state.json, so a tune killed at any moment continues at its next unfinished step; a step whose
 * verdict was "fail" counts as unfinished, and the guide halts there (fix it first, as the document says).
 * Steps read what they need from earlier results (step 4: step 3's suggestion; step 5: step 4's best; step 6:
 * step 5's run) and fall back to the base settings, saying so, when those steps were not run.
 */
import { LabError, toLabErrorData } from '../../shared/errors';
import { TUNE_STEPS, type GridCell, type TuneRequest, type TuneState, type TuneStepNumber, type TuneStepResult } from '../../shared/tuning';
import type { TuneContext } from './context';
import { writeTuneState } from './state-store';
import { msg } from '../../shared/messages';
import { coarseGrid } from './steps/coarse-grid';
import { initialLossCheck } from './steps/initial-loss';
import { lrRangeTest } from './steps/lr-range';
import { overfitSmallSample } from './steps/overfit-sample';
import { readCurves } from './steps/read-curves';
import { refine } from './steps/refine';
import { fmt } from './steps/step-result';

export function newTuneState(id: string, req: TuneRequest, datasetName: string): TuneState {
  const now = new Date().toISOString();
  return {
    id,
    kind: 'guide',
    datasetId: req.config.datasetId,
    datasetName,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    config: req.config,
    budgets: req.budgets,
    steps: normaliseSteps(req.steps),
    results: {},
    current: null,
  };
}

export function normaliseSteps(steps: readonly number[] | undefined): TuneStepNumber[] {
  const set = new Set(steps ?? TUNE_STEPS);
  return TUNE_STEPS.filter((s) => set.has(s));
}

export function resultOf(state: TuneState, step: TuneStepNumber): TuneStepResult | undefined {
  return state.results[`${step}`];
}

/** Steps still to do: asked for, and without a result (or with a failed one, or all of them when rerun). */
export function pendingSteps(state: TuneState, rerun: boolean): TuneStepNumber[] {
  return state.steps.filter((s) => rerun || resultOf(state, s) === undefined || resultOf(state, s)!.verdict === 'fail');
}

async function runStep(ctx: TuneContext, state: TuneState, step: TuneStepNumber): Promise<TuneStepResult> {
  switch (step) {
    case 1:
      return initialLossCheck(ctx);
    case 2:
      return overfitSmallSample(ctx);
    case 3:
      return lrRangeTest(ctx);
    case 4: {
      const s3 = resultOf(state, 3);
      const suggested = s3?.lrRange?.suggestedLr ?? null;
      const center = suggested ?? ctx.config.optimizer.lr;
      const source = suggested !== null ? msg('tuning.source.step3') : msg('tuning.source.baseLr', { lr: fmt(center) });
      // Cells already trained before a kill or stop are kept, not trained again.
      return coarseGrid(ctx, center, source, {
        ...(state.partialGrid ? { done: state.partialGrid } : {}),
        onCell: (cells: GridCell[]) => {
          state.partialGrid = cells;
          writeTuneState(ctx.ws, state);
        },
      });
    }
    case 5: {
      const s4 = resultOf(state, 4);
      const best = s4?.verdict !== 'fail' ? s4?.grid?.find((c) => c.rank === 1) : undefined;
      if (best) return refine(ctx, best.lr, best.weightDecay, msg('tuning.source.grid'));
      const wd = ctx.config.weightDecay.kind === 'none' ? 0 : ctx.config.weightDecay.value;
      return refine(ctx, ctx.config.optimizer.lr, wd, msg('tuning.source.config'));
    }
    case 6: {
      const runId = resultOf(state, 5)?.runIds[0];
      if (!runId) throw new LabError('BAD_ARGUMENT', msg('tuning.step6NeedsStep5'));
      return readCurves(ctx, runId);
    }
  }
}

export async function runGuide(ctx: TuneContext, state: TuneState, opts: { rerun?: boolean } = {}): Promise<TuneState> {
  const todo = pendingSteps(state, opts.rerun ?? false);
  state.status = 'running';
  delete state.error;
  writeTuneState(ctx.ws, state);
  ctx.io.emit({ type: 'tune.status', tuneId: state.id, status: 'running', message: todo.length ? `steps ${todo.join(', ')}` : 'nothing left to do' });
  try {
    for (const step of todo) {
      if (ctx.io.signal?.aborted) break;
      state.current = step;
      writeTuneState(ctx.ws, state);
      ctx.io.emit({ type: 'tune.step', tuneId: state.id, step });
      const result = await runStep(ctx, state, step);
      if (ctx.io.signal?.aborted && result.verdict === 'fail') break; // a stopped step is not a result
      state.results[`${step}`] = result;
      if (step === 4) delete state.partialGrid;
      state.current = null;
      writeTuneState(ctx.ws, state);
      ctx.io.emit({ type: 'tune.step', tuneId: state.id, step, result });
      if (result.verdict === 'fail') break;
    }
    state.current = null;
    state.status = ctx.io.signal?.aborted ? 'stopped' : 'completed';
    writeTuneState(ctx.ws, state);
    const halted = state.steps.find((s) => resultOf(state, s)?.verdict === 'fail');
    ctx.io.emit({
      type: 'tune.status',
      tuneId: state.id,
      status: state.status,
      ...(halted ? { message: `halted at step ${halted}: ${resultOf(state, halted)!.nextAction}` } : {}),
    });
    return state;
  } catch (err) {
    state.status = 'failed';
    state.error = toLabErrorData(err);
    writeTuneState(ctx.ws, state);
    ctx.io.emit({ type: 'tune.status', tuneId: state.id, status: 'failed', error: state.error, message: state.error.message });
    return state;
  }
}
