/** Small DTOs for store tests. */
import type { DatasetSummary, EpochLog, RunDetail, RunSummary } from '../../../shared/dto';
import { TrainConfigSchema } from '../../../shared/config';

export function datasetSummary(over: Partial<DatasetSummary> = {}): DatasetSummary {
  return {
    id: 'ds1',
    name: 'shapes',
    paths: ['/data/shapes'],
    layout: 'class-folders',
    classes: [
      { name: 'circle', counts: { train: 7, val: 2, test: 1 } },
      { name: 'square', counts: { train: 6, val: 2, test: 2 } },
    ],
    images: 20,
    problems: [],
    warnings: [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

export function runSummary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 'run1',
    name: 'run 1',
    status: 'running',
    datasetId: 'ds1',
    datasetName: 'shapes',
    createdAt: '2026-01-01T00:00:00Z',
    epochs: 3,
    epochsDone: 0,
    bestEpoch: null,
    bestValAccuracy: null,
    bestValLoss: null,
    testAccuracy: null,
    backend: 'cpu',
    tags: [],
    ...over,
  };
}

export function runDetail(over: Partial<RunDetail> = {}): RunDetail {
  return {
    ...runSummary(),
    config: TrainConfigSchema.parse({ datasetId: 'ds1', epochs: 3 }),
    classes: ['circle', 'square'],
    epochLogs: [],
    batchLogs: [],
    evaluation: null,
    hasModel: false,
    ...over,
  };
}

export function epochLog(epoch: number, over: Partial<EpochLog> = {}): EpochLog {
  return {
    epoch,
    loss: 1 / epoch,
    accuracy: 0.5 + epoch / 10,
    valLoss: 1.1 / epoch,
    valAccuracy: 0.45 + epoch / 10,
    lr: 1e-3,
    durationS: 1,
    imagesPerS: 100,
    bestEpoch: epoch,
    patienceLeft: 5,
    ...over,
  };
}
