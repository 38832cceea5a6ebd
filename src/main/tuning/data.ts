/**
 * The data a tune trains on: the dataset's train and validation splits as they lie in the decoded cache. No pixels
 * are read here; each trial opens the splits as a normal run does (run-splits.ts), through one memo, so trials share
 * what fits in memory and stream what does not.
 */
import type { TrainConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { getDataset } from '../datasets';
import { openRunSplit, SplitsMemo } from '../training/run-splits';
import type { Workspace } from '../workspace';
import type { TuneData } from './context';

export async function loadTuneData(ws: Workspace, config: TrainConfig, signal?: AbortSignal, opts: { allowance?: number } = {}): Promise<TuneData> {
  const dataset = await getDataset(ws, config.datasetId);
  const memo = new SplitsMemo();
  const io = { memo, ...(signal ? { signal } : {}) };
  const train = await openRunSplit(ws, config, 'train', io);
  if (train.n === 0) throw new LabError('NO_IMAGES', msg('error.dataset.noTrainingImages', { name: dataset.name }));
  const hasVal = dataset.classes.some((c) => c.counts.val > 0);
  const val = hasVal ? await openRunSplit(ws, config, 'val', io) : null;
  return {
    train,
    val,
    memo,
    ...(opts.allowance !== undefined ? { allowance: opts.allowance } : {}),
    datasetName: dataset.name,
    fingerprint: `${dataset.id}@${dataset.updatedAt}/${dataset.images}`,
  };
}
