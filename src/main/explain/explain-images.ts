/**
 * Heatmaps for predictions already made: each readable image is decoded as the model saw it, explained with
 * Grad-CAM for its top class, and given the heat (RGBA PNG) and the overlay (PNG) as data URLs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Prediction, PredictionHeatmap, Preprocessing } from '../../shared/dto';
import { toLabErrorData } from '../../shared/errors';
import { decodeForModel } from '../datasets/preprocess';
import { toInputTensor } from '../predict/predict-images';
import { gradCam } from './grad-cam';
import { heatmapImages } from './overlay';

const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

/** The heatmap of one decoded model input (size × size × channels, uint8) for the class `label`. */
export async function explainPixels(model: tf.LayersModel, labels: string[], pre: Preprocessing, pixels: Uint8Array, label: string): Promise<PredictionHeatmap> {
  const x = toInputTensor([pixels], pre);
  const classIndex = Math.max(0, labels.indexOf(label));
  let cam;
  try {
    cam = gradCam(model, x, { classIndex });
  } finally {
    x.dispose();
  }
  const images = await heatmapImages(cam, pixels, pre);
  return { label, layer: cam.layer, heat: dataUrl(images.heat), overlay: dataUrl(images.overlay) };
}

export async function explainPredictions(model: tf.LayersModel, labels: string[], pre: Preprocessing, preds: Prediction[], signal?: AbortSignal): Promise<void> {
  for (const pred of preds) {
    if (pred.error || !pred.top.length) continue;
    if (signal?.aborted) return;
    try {
      const pixels = await decodeForModel(pred.path, pre.input);
      pred.heatmap = await explainPixels(model, labels, pre, pixels, pred.top[0].label);
    } catch (err) {
      pred.heatmapError = toLabErrorData(err);
    }
  }
}
