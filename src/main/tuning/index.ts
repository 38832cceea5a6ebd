export { runTuneJob, tuneContext, type TuneJobIO } from './job';
export { newTuneState, runGuide, pendingSteps, normaliseSteps } from './guide';
export { newSearchState, runSearch } from './search/run-search';
export { planSettings, applySetting, gridSize } from './search/space';
export { rankRows } from './search/rank';
export { readTuneState, writeTuneState, listTunings, newTuneId, summarize, tuneDir } from './state-store';
export { loadTuneData } from './data';
export type { TuneContext, TuneData, TuneIO } from './context';
