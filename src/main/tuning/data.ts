/** The data a tune trains on: the dataset's train and validation splits, decoded once and kept in memory. */
import type { TrainConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { getDataset, loadSplit } from '../datasets';
import type { Workspace } from '../workspace';
import type { TuneData } from './context';

export async function loadTuneData(ws: Workspace, config: TrainConfig, signal?: AbortSignal): Promise<TuneData> {
  const dataset = await getDataset(ws, config.datasetId);
  const opts = signal ? { signal } : {};
  const train = await loadSplit(ws, config.datasetId, config.input, 'train', opts);
  if (train.n === 0) throw new LabError('NO_IMAGES', msg('error.dataset.noTrainingImages', { name: dataset.name }));
  const hasVal = dataset.classes.some((c) => c.counts.val > 0);
  const val = hasVal ? await loadSplit(ws, config.datasetId, config.input, 'val', opts) : null;
  return { train, val, datasetName: dataset.name, fingerprint: `${dataset.id}@${dataset.updatedAt}/${dataset.images}` };
}
