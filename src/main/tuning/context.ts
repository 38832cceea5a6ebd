/** What every tuning step gets: the workspace, the dataset's splits, the base settings and a way to report. */
import type { TrainConfig } from '../../shared/config';
import type { LabEvent } from '../../shared/events';
import type { TuneBudgets } from '../../shared/tuning';
import type { SplitPixels } from '../datasets/split-on-disk';
import type { SplitsMemo } from '../training/run-splits';
import type { Workspace } from '../workspace';

export interface TuneData {
  /**
   * The training split. A tune of a dataset keeps it as it lies in the decoded cache (labels and cache rows): each
   * trial opens it as a normal run does (loaded when it fits the memory allowance, streamed when not: run-splits.ts),
   * and steps that need a few images read only those. Pixels in memory (an ImageArray) are trained on as given.
   */
  train: SplitPixels;
  val: SplitPixels | null;
  /** Shared by the trials of a tune on disk: each split is opened, loaded (when it fits) and averaged once. */
  memo?: SplitsMemo;
  /** Memory allowance in bytes of pixels for the trials (default streamAboveBytes()). */
  allowance?: number;
  datasetName: string;
  /** Stored with every run so a later look can tell the dataset changed. */
  fingerprint: string;
}

export interface TuneIO {
  emit(event: LabEvent): void;
  signal?: AbortSignal;
}

export interface TuneContext {
  ws: Workspace;
  /** The tune or search id; its runs are tagged `tune:<id>` (guide) or `search:<id>`. */
  id: string;
  tag: string;
  data: TuneData;
  config: TrainConfig;
  budgets: TuneBudgets;
  io: TuneIO;
  backend: string;
}

export function numClasses(ctx: TuneContext): number {
  return ctx.data.train.classes.length;
}
