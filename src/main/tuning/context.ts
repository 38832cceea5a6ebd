/** What every tuning step gets: the workspace, the data in memory, the base settings and a way to report. */
import type { TrainConfig } from '../../shared/config';
import type { LabEvent } from '../../shared/events';
import type { TuneBudgets } from '../../shared/tuning';
import type { ImageArray } from '../datasets/image-array';
import type { Workspace } from '../workspace';

export interface TuneData {
  train: ImageArray;
  val: ImageArray | null;
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
