/**
 * Grid or random search: trains the planned settings one after another within the budget (runs and seconds),
 * ends clearly bad runs early, and keeps one row per setting (settings + validation accuracy) for the table and
 * the chart. State is written after every row.
 */
import type { SearchRequest, SearchRow, SearchState } from '../../../shared/tuning';
import type { TuneContext } from '../context';
import { writeTuneState } from '../state-store';
import { lastEpoch, trainTagged } from '../tagged-run';
import { applySetting, describeSetting, gridSize, planSettings } from './space';
import { clearlyBadRule } from './terminate';

export function newSearchState(id: string, req: SearchRequest, datasetName: string): SearchState {
  const now = new Date().toISOString();
  const planned = req.mode === 'grid' ? Math.min(req.maxRuns, gridSize(req.space)) : req.maxRuns;
  return { id, kind: 'search', datasetId: req.config.datasetId, datasetName, status: 'running', createdAt: now, updatedAt: now, request: req, rows: [], planned, stopReason: null };
}

export async function runSearch(ctx: TuneContext, state: SearchState, now: () => number = () => Date.now()): Promise<SearchState> {
  const req = state.request;
  const settings = planSettings(req, state.planned);
  const t0 = now();
  state.status = 'running';
  writeTuneState(ctx.ws, state);
  ctx.io.emit({ type: 'tune.status', tuneId: state.id, status: 'running', message: `${settings.length} setting(s) planned` });
  for (let i = state.rows.length; i < settings.length; i++) {
    if (ctx.io.signal?.aborted) {
      state.stopReason = 'stopped';
      break;
    }
    const elapsedS = (now() - t0) / 1000;
    if (req.timeBudgetS !== null && elapsedS >= req.timeBudgetS) {
      state.stopReason = 'time-budget';
      break;
    }
    const setting = settings[i]!;
    const config = applySetting({ ...req.config, epochs: req.epochs }, setting);
    config.name = `search · ${describeSetting(setting)}`;
    // The run in flight stops at the end of the epoch that crosses the search's time budget.
    if (req.timeBudgetS !== null) config.timeBudgetS = Math.max(1, req.timeBudgetS - elapsedS);
    const run = await trainTagged(ctx, { config, tags: [`search-row:${i + 1}`], terminateWhen: clearlyBadRule(ctx.data.train.classes.length) });
    const last = lastEpoch(run.epochs);
    const row: SearchRow = {
      runId: run.runId,
      setting,
      status: run.outcome === 'diverged' ? 'diverged' : run.outcome === 'terminated' ? 'terminated' : run.outcome === 'failed' ? 'failed' : 'ok',
      valAccuracy: last?.valAccuracy ?? null,
      valLoss: last?.valLoss ?? null,
      trainLoss: last?.loss ?? null,
      epochsDone: run.epochs.length,
      durationS: run.durationS,
      ...(run.note ? { note: run.note } : {}),
    };
    if (run.outcome === 'stopped') {
      state.stopReason = 'stopped';
      break;
    }
    state.rows.push(row);
    writeTuneState(ctx.ws, state);
    ctx.io.emit({ type: 'tune.row', tuneId: state.id, row, index: i });
  }
  state.stopReason ??= state.rows.length >= settings.length ? (req.mode === 'grid' && gridSize(req.space) > settings.length ? 'max-runs' : 'done') : 'max-runs';
  state.status = state.stopReason === 'stopped' ? 'stopped' : 'completed';
  writeTuneState(ctx.ws, state);
  ctx.io.emit({ type: 'tune.status', tuneId: state.id, status: state.status, message: `${state.rows.length} run(s), ${state.stopReason}` });
  return state;
}
