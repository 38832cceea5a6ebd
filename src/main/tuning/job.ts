/** The training process's side of a tune: load the state and the data, then run the guide or the search. */
import type { LabEvent } from '../../shared/events';
import { TuneBudgetsSchema, type TuningState } from '../../shared/tuning';
import { initBackend } from '../engine/backend';
import type { Workspace } from '../workspace';
import type { TuneContext, TuneData } from './context';
import { loadTuneData } from './data';
import { runGuide } from './guide';
import { runSearch } from './search/run-search';
import { readTuneState } from './state-store';

export interface TuneJobIO {
  emit(event: LabEvent): void;
  signal?: AbortSignal;
}

export function tuneContext(ws: Workspace, state: TuningState, data: TuneData, io: TuneJobIO, backend: string): TuneContext {
  const config = state.kind === 'guide' ? state.config : state.request.config;
  // A search has no step budgets; the defaults keep the context complete.
  const budgets = state.kind === 'guide' ? state.budgets : TuneBudgetsSchema.parse({});
  return { ws, id: state.id, tag: `${state.kind === 'guide' ? 'tune' : 'search'}:${state.id}`, data, config, budgets, io, backend };
}

/** Runs tuning `tuneId` to its end (or until the signal stops it). `data` is for tests; the worker loads the dataset. */
export async function runTuneJob(ws: Workspace, tuneId: string, io: TuneJobIO, opts: { rerun?: boolean; data?: TuneData } = {}): Promise<TuningState> {
  const backend = await initBackend();
  const state = readTuneState(ws, tuneId);
  const config = state.kind === 'guide' ? state.config : state.request.config;
  const data = opts.data ?? (await loadTuneData(ws, config, io.signal));
  // The label, as runTrainJob records it: backend.name is tfjs's engine name, "wasm" for both the oneDNN and the
  // plain WebAssembly paths, which made every tuning run look as if it had trained on WebAssembly.
  const ctx = tuneContext(ws, state, data, io, backend.label);
  return state.kind === 'guide' ? runGuide(ctx, state, { rerun: opts.rerun ?? false }) : runSearch(ctx, state);
}
