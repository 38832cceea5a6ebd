import type { TrainConfig } from '../../shared/config';
import type { Preprocessing } from '../../shared/dto';
import { catalogScaling, isCatalogBackbone } from './backbone-catalog';

/** Models trained from scratch see pixels in [0,1]; MobileNet (and Keras applications) were trained on [-1,1]. */
export function preprocessingFor(config: TrainConfig): Preprocessing {
  const model = config.model;
  let normalization: Preprocessing['normalization'] = 'unit';
  if (model.kind === 'transfer') {
    normalization = model.inputNormalization ?? (model.backbone === BUILTIN_MOBILENET ? 'symmetric' : isCatalogBackbone(model.backbone) ? catalogScaling(model.backbone) : 'unit');
  }
  return {
    input: { ...config.input },
    normalization,
    channelOrder: config.input.channels === 3 ? 'RGB' : 'L',
    layout: 'NHWC',
  };
}

export const BUILTIN_MOBILENET = 'builtin:mobilenetv2';
