import { AUGMENT_PRESETS, AugmentPresetSchema } from '../../../shared/augment-config';
import type { LabHandlers } from '../../../shared/contract';
import { buildBatchPreview, buildPreview } from '../../augment/preview';
import { writeAugmentedCopies } from '../../augment/write-copies';
import type { ServiceContext } from '../context';

export type AugmentHandlers = Pick<LabHandlers, 'augment.presets' | 'augment.preview' | 'augment.batch' | 'augment.writeCopies'>;

/** Augmentation previews (sharp reference path), the next training batch (batch path), written copies. */
export function augmentHandlers(ctx: ServiceContext): AugmentHandlers {
  return {
    'augment.presets': async () => AugmentPresetSchema.options.map((name) => ({ name, settings: AUGMENT_PRESETS[name] })),
    'augment.preview': async (req) => buildPreview(ctx.ws, req),
    'augment.batch': async (req) => buildBatchPreview(ctx.ws, req),
    'augment.writeCopies': async (req) => writeAugmentedCopies(ctx.ws, req),
  };
}
