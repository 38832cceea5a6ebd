/**
 * Guided tuning (docs/CONCEPTS.md#the-six-step-tuning-guide) and hyperparameter search: request schemas and the plain-JSON state the engine
 * persists under the workspace (tuning/<id>/state.json) and sends to the shells.
 */
import { z } from 'zod';
import { OptimizerNameSchema, TrainConfigSchema, type TrainConfig } from './config';
import type { LabErrorData } from './errors';
import type { LabMessage } from './messages';
import type { Diagnosis } from './analysis/diagnosis';

export const TUNE_STEPS = [1, 2, 3, 4, 5, 6] as const;

/** Tag of a run whose validation split is its own training sample (tuning step 2): its "val" accuracy is training accuracy. */
export const TRAINING_SAMPLE_TAG = 'val:training-sample';
export type TuneStepNumber = (typeof TUNE_STEPS)[number];

/** Every budget is configurable so a quick look (or a test) can use tiny ones. */
export const TuneBudgetsSchema = z.object({
  /** Step 1: |mean loss − ln C| / ln C above this is "off". */
  lossTolerance: z.number().gt(0).max(10).default(0.25),
  /** Step 1: batches in the forward pass. */
  initialBatches: z.number().int().min(1).max(100).default(4),
  /** Step 2: images per class in the small sample (the document says 5–10). */
  overfitPerClass: z.number().int().min(1).max(100).default(8),
  overfitMaxEpochs: z.number().int().min(1).max(1000).default(100),
  /** Step 3: the learning-rate range and the number of iterations it is swept over. */
  rangeMinLr: z.number().gt(0).max(10).default(1e-5),
  rangeMaxLr: z.number().gt(0).max(10).default(1e-1),
  rangeIterations: z.number().int().min(10).max(2000).default(200),
  rangeWeightDecay: z.number().min(0).max(1).default(1e-4),
  /** Step 4: epochs per grid cell (1–5 in the document) and the grid axes. */
  gridEpochs: z.number().int().min(1).max(50).default(3),
  gridLrFactors: z.array(z.number().gt(0)).min(1).max(10).default([0.5, 1, 2]),
  gridWeightDecays: z.array(z.number().min(0).max(1)).min(1).max(10).default([0, 1e-5, 1e-4]),
  /** Step 5: epochs at constant LR (10–20 in the document) and early-stopping patience (watching, not restoring). */
  refineEpochs: z.number().int().min(1).max(500).default(15),
  refinePatience: z.number().int().min(1).max(100).default(5),
});
export type TuneBudgets = z.infer<typeof TuneBudgetsSchema>;

export const TuneRequestSchema = z.object({
  /** The base run settings (model, optimizer, batch size, input…); the steps vary LR, weight decay and epochs. */
  config: TrainConfigSchema,
  /** Which steps to run (default all six, in order). */
  steps: z.array(z.number().int().min(1, 'steps are 1–6').max(6, 'steps are 1–6')).min(1).optional(),
  budgets: TuneBudgetsSchema.prefault({}),
  /** Continue this tune at its next unfinished step instead of starting a new one. */
  resumeId: z.string().min(1).max(200).optional(),
  /** Run the requested steps again even if they already have a result. */
  rerun: z.boolean().default(false),
});
export type TuneRequest = z.infer<typeof TuneRequestSchema>;
export type TuneRequestInput = z.input<typeof TuneRequestSchema>;

export type TuneVerdict = 'pass' | 'warn' | 'fail';

export interface LrRangePoint {
  lr: number;
  loss: number;
  smoothed: number;
}

export interface LrRangeResult {
  points: LrRangePoint[];
  suggestedLr: number | null;
  /** Learning rate where the smoothed loss left the stable region (exceeded 4× its minimum or became NaN/Inf). */
  explosionLr: number | null;
  minLossLr: number | null;
}

export interface GridCell {
  runId: string | null;
  lr: number;
  weightDecay: number;
  valAccuracy: number | null;
  valLoss: number | null;
  trainLoss: number | null;
  epochsDone: number;
  status: SearchRowStatus;
  rank: number | null;
}

export interface TuneStepResult {
  step: TuneStepNumber;
  title: string;
  verdict: TuneVerdict;
  /** The numbers behind the verdict (named, unit in the name where it helps). */
  numbers: Record<string, number | string | null>;
  explanation: string;
  nextAction: string;
  /** Likely causes when the verdict is not a pass. */
  causes: string[];
  /** title / explanation / nextAction / causes as translatable messages (absent in states saved before they existed). */
  titleMsg?: LabMessage;
  explanationMsg?: LabMessage;
  nextActionMsg?: LabMessage;
  causeMsgs?: LabMessage[];
  runIds: string[];
  startedAt: string;
  finishedAt: string;
  lrRange?: LrRangeResult;
  grid?: GridCell[];
  diagnosis?: Diagnosis & { text: string };
}

export type TuneStatus = 'running' | 'completed' | 'failed' | 'stopped';

export interface TuneState {
  id: string;
  kind: 'guide';
  datasetId: string;
  datasetName: string;
  status: TuneStatus;
  createdAt: string;
  updatedAt: string;
  config: TrainConfig;
  budgets: TuneBudgets;
  /** Steps asked for by the last start, in order. */
  steps: TuneStepNumber[];
  /** Finished step results, keyed by step number. */
  results: Partial<Record<`${TuneStepNumber}`, TuneStepResult>>;
  /** The step being worked on, or null. */
  current: TuneStepNumber | null;
  /** Step 4 cells already trained while step 4 is unfinished (a kill mid-grid keeps them). */
  partialGrid?: GridCell[];
  error?: LabErrorData;
}

/* ---------------- Search ---------------- */

const num = z.number();
/** Either an explicit list of values (grid or random choice) or a range sampled by random search. */
const numberAxis = z.union([z.array(num).min(1).max(20), z.object({ min: num, max: num, log: z.boolean().default(false) })]);

export const SearchSpaceSchema = z
  .object({
    lr: numberAxis,
    weightDecay: numberAxis,
    batchSize: z.array(z.number().int().min(1).max(4096)).min(1).max(10),
    optimizer: z.array(OptimizerNameSchema).min(1),
    /** Drop probability applied to every dropout of the model. */
    dropout: z.array(z.number().min(0).lt(1)).min(1).max(10),
    batchNorm: z.array(z.boolean()).min(1).max(2),
    augmentation: z.array(z.enum(['none', 'light', 'standard', 'strong'])).min(1).max(4),
    /** Multiplier of every layer's units / filters (resnet: of its width). */
    width: z.array(z.number().gt(0).max(16)).min(1).max(10),
    /** Number of conv blocks / hidden layers (resnet: 8, 14 or 20). */
    depth: z.array(z.number().int().min(1).max(20)).min(1).max(10),
  })
  .partial();
export type SearchSpace = z.infer<typeof SearchSpaceSchema>;
export type SearchParam = keyof SearchSpace;

export const SearchRequestSchema = z.object({
  config: TrainConfigSchema,
  mode: z.enum(['grid', 'random']).default('random'),
  space: SearchSpaceSchema.refine((s) => Object.keys(s).length > 0, 'choose at least one hyperparameter to search'),
  /** Budget: at most this many runs and this many seconds (the run in flight finishes its epoch). */
  maxRuns: z.number().int().min(1).max(500).default(12),
  timeBudgetS: z.number().gt(0).nullable().default(null),
  epochs: z.number().int().min(1).max(500).default(5),
  seed: z.number().int().default(1),
});
export type SearchRequest = z.infer<typeof SearchRequestSchema>;
export type SearchRequestInput = z.input<typeof SearchRequestSchema>;

export type SearchSetting = Partial<Record<SearchParam, number | string | boolean>>;
/** ok: trained to the end (or early-stopped); diverged: NaN/Inf; terminated: clearly bad, stopped early by the search. */
export type SearchRowStatus = 'ok' | 'diverged' | 'terminated' | 'failed';

export interface SearchRow {
  runId: string | null;
  setting: SearchSetting;
  status: SearchRowStatus;
  valAccuracy: number | null;
  valLoss: number | null;
  trainLoss: number | null;
  epochsDone: number;
  durationS: number;
  note?: string;
}

export interface SearchState {
  id: string;
  kind: 'search';
  datasetId: string;
  datasetName: string;
  status: TuneStatus;
  createdAt: string;
  updatedAt: string;
  request: SearchRequest;
  /** Rows in the order they ran; sort on the client. */
  rows: SearchRow[];
  /** Settings the budget allows (grid size or maxRuns). */
  planned: number;
  stopReason: 'done' | 'max-runs' | 'time-budget' | 'stopped' | null;
  error?: LabErrorData;
}

export type TuningState = TuneState | SearchState;

export interface TuningSummary {
  id: string;
  kind: 'guide' | 'search';
  datasetName: string;
  status: TuneStatus;
  createdAt: string;
  updatedAt: string;
  /** guide: finished steps; search: finished rows */
  done: number;
  total: number;
}
