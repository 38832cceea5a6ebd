/** The training process's side of a tune: load the state and the data, then run the guide or the search. */
import type { LabEvent } from '../../shared/events';
import { TuneBudgetsSchema, type TuningState } from '../../shared/tuning';
import { initBackend } from '../engine/backend';
import { resolveCatalogBackbone } from '../models/backbone-library';
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

/** `config`: the tuning's base config as trials use it (a catalogue backbone resolved to its folder); default the state's. */
export function tuneContext(ws: Workspace, state: TuningState, data: TuneData, io: TuneJobIO, backend: string, config = baseConfig(state)): TuneContext {
  // A search has no step budgets; the defaults keep the context complete.
  const budgets = state.kind === 'guide' ? state.budgets : TuneBudgetsSchema.parse({});
  return { ws, id: state.id, tag: `${state.kind === 'guide' ? 'tune' : 'search'}:${state.id}`, data, config, budgets, io, backend };
}

function baseConfig(state: TuningState) {
  return state.kind === 'guide' ? state.config : state.request.config;
}

/** Runs tuning `tuneId` to its end (or until the signal stops it). `data` is for tests; the worker loads the dataset. */
export async function runTuneJob(ws: Workspace, tuneId: string, io: TuneJobIO, opts: { rerun?: boolean; data?: TuneData } = {}): Promise<TuningState> {
  const backend = await initBackend();
  const state = readTuneState(ws, tuneId);
  // A catalogue backbone (catalog:<id>) is downloaded first if needed (resumable; the tuning's stop cancels it), or
  // checked against its pinned checksums; the trials then use its folder.
  const config = await resolveCatalogBackbone(ws, baseConfig(state), io.signal ? { signal: io.signal } : {});
  const data = opts.data ?? (await loadTuneData(ws, config, io.signal));
  // The label, as runTrainJob records it: backend.name is tfjs's engine name, "wasm" for both the oneDNN and the
  // plain WebAssembly paths, which made every tuning run look as if it had trained on WebAssembly.
  const ctx = tuneContext(ws, state, data, io, backend.label, config);
  return state.kind === 'guide' ? runGuide(ctx, state, { rerun: opts.rerun ?? false }) : runSearch(ctx, state);
}
