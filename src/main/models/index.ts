/** config → tf.LayersModel. Every initial weight is drawn from seeds made from the run's seed, so the same seed gives the same weights. */
import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { mixSeed, seedSource } from '../training/seeded-random';
import { buildScratchModel } from './scratch-models';
import { buildTransferModel } from './transfer-model';

export { preprocessingFor, BUILTIN_MOBILENET } from './preprocessing';
export { SeedBatchNorm, batchNormBatchSizeWarning, hasTrainableBatchNorm } from './layers/seed-batch-norm';
export { saveModelToDir, loadModelFromDir, fsLoadHandler, fsSaveHandler, readModelArtifacts, resolveModelDir } from './fs-io';
export { LOGITS_LAYER } from './scratch-models';
export { PEER_ARCHITECTURES } from './peer-architectures';
export { loadBackbone, backboneDir, resourcesDir, splitTransferModel, copyHeadInto, type TransferHalves, listCutLayers, cutLayerCandidates, defaultCutLayer, type CutLayer } from './transfer-model';

const INIT_SALT = 0x1a17;

export async function buildModel(config: TrainConfig, numClasses: number): Promise<tf.LayersModel> {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new LabError('TOO_FEW_CLASSES', msg('error.model.tooFewClasses', { count: numClasses }));
  }
  const seeds = seedSource(mixSeed(config.seed, INIT_SALT));
  if (config.model.kind === 'transfer') return buildTransferModel(config, numClasses, seeds);
  return buildScratchModel(config, numClasses, seeds);
}
