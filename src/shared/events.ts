import type { LabErrorData } from './errors';
import type { LabMessage } from './messages';
import type { BatchLog, EpochLog, RunStatus, Evaluation, Prediction } from './dto';
import type { SearchRow, TuneStatus, TuneStepNumber, TuneStepResult } from './tuning';

/** Every event the engine pushes to the shells. Run events carry the runId. */
export type LabEvent =
  | { type: 'import.progress'; jobId: string; phase: 'scan' | 'validate' | 'cache'; done: number; total: number; ratePerS: number; etaS: number | null }
  | { type: 'import.done'; jobId: string; datasetId: string }
  /** backbones.fetch: bytes downloaded of the total (about ten a second, and the last). */
  | { type: 'backbone.progress'; jobId: string; id: string; done: number; total: number }
  /** models.predict over many images: images finished out of the total (about ten a second, and the last). */
  | { type: 'predict.progress'; done: number; total: number; ratePerS: number; jobId?: string; etaS?: number | null }
  /** models.predict: predictions finished since the last such event (streamed before the call answers; no heatmaps yet). */
  | { type: 'predict.results'; jobId?: string; results: Prediction[] }
  | { type: 'run.status'; runId: string; status: RunStatus; message?: string; msg?: LabMessage; error?: LabErrorData }
  | ({ type: 'run.batch'; runId: string } & BatchLog)
  | ({ type: 'run.epoch'; runId: string } & EpochLog)
  | { type: 'run.evaluation'; runId: string; evaluation: Evaluation }
  | { type: 'run.log'; runId: string; level: 'info' | 'warn' | 'error'; message: string; msg?: LabMessage }
  /** From the service, not the training process: every window shows the new name. */
  | { type: 'run.renamed'; runId: string; name: string }
  /** Guided tuning: a step started (result absent) or finished (result present). */
  | { type: 'tune.step'; tuneId: string; step: TuneStepNumber; result?: TuneStepResult }
  /** Search: one row (run) finished. */
  | { type: 'tune.row'; tuneId: string; row: SearchRow; index: number }
  | { type: 'tune.status'; tuneId: string; status: TuneStatus; message?: string; msg?: LabMessage; error?: LabErrorData };

export type LabEventType = LabEvent['type'];
export type LabEventOf<T extends LabEventType> = Extract<LabEvent, { type: T }>;
