/** The bright-patch CNN (patch-task.ts), trained and exported as a tfjs model with its two class names. */
import { exportModel } from '../../export/export-model';
import { SIZE, trainedCnn } from './patch-task';

export const PATCH_CLASSES = ['top-left', 'bottom-right'];

/** Trains the patch CNN and writes it to `outDir` as the lab's tfjs export (grey, unit-scaled, SIZE px). */
export async function exportPatchCnn(outDir: string): Promise<void> {
  const model = await trainedCnn();
  await exportModel(model, {
    format: 'tfjs',
    outDir,
    labels: PATCH_CLASSES,
    preprocessing: { input: { size: SIZE, channels: 1, fit: 'squash' }, normalization: 'unit', channelOrder: 'L', layout: 'NHWC' },
    modelName: 'patches',
  });
  model.dispose();
}
