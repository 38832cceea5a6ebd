/**
 * How a batch of normalised images becomes class probabilities. The lab's model runs in tfjs; where
 * onnxruntime-node is installed, the same model converted by the lab's own ONNX exporter (the conversion
 * every ONNX export is verified with: same probabilities within 1e-4) runs there instead, because its CPU
 * kernels answer several times faster than tfjs's for inference. LAB_PREDICT_ENGINE=tfjs forces tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../shared/dto';
import { predictTestTime } from '../augment/test-time';
import { modelFromArtifacts, snapshotArtifacts, snapshotModel } from '../export/layers-artifacts';
import { layersModelToOnnx } from '../export/onnx/layers-to-onnx';
import { encodeModel } from '../export/onnx/onnx-proto';
import { standardizeSnapshot } from '../export/standardize-layers';

/** Probabilities (n × classes, row-major) for n normalised NHWC images; x is read only until the promise settles (callers reuse it). */
export type BatchForward = ((x: Float32Array, n: number) => Promise<Float32Array>) & { engine: 'tfjs' | 'onnxruntime' };

export function tfjsForward(model: tf.LayersModel, pre: Preprocessing, multiCrop = false): BatchForward {
  const { size, channels } = pre.input;
  const run = async (x: Float32Array, n: number): Promise<Float32Array> => {
    const y = tf.tidy(() => {
      const t = tf.tensor4d(x, [n, size, size, channels]);
      return multiCrop ? predictTestTime((v) => model.predict(v) as tf.Tensor2D, t, 'five-crop') : (model.predict(t) as tf.Tensor);
    });
    const out = (await y.data()) as Float32Array;
    y.dispose();
    return out;
  };
  return Object.assign(run, { engine: 'tfjs' as const });
}

/** The model in onnxruntime-node, or null where it is not installed or the model has a layer ONNX export refuses. */
export async function onnxForward(model: tf.LayersModel, pre: Preprocessing): Promise<BatchForward | null> {
  if (process.env.LAB_PREDICT_ENGINE === 'tfjs') return null;
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch {
    return null;
  }
  let session: import('onnxruntime-node').InferenceSession;
  try {
    const { snapshot } = standardizeSnapshot(model, await snapshotModel(model));
    const std = await modelFromArtifacts(snapshotArtifacts(snapshot), 'the standardised model');
    const bytes = encodeModel(layersModelToOnnx(std, { inputName: 'input', outputName: 'probabilities' }).model);
    std.dispose();
    session = await ort.InferenceSession.create(bytes);
  } catch {
    return null;
  }
  const { size, channels } = pre.input;
  const run = async (x: Float32Array, n: number): Promise<Float32Array> => {
    const out = await session.run({ input: new ort.Tensor('float32', x, [n, size, size, channels]) });
    return out.probabilities.data as Float32Array;
  };
  return Object.assign(run, { engine: 'onnxruntime' as const });
}

/** The fastest forward pass available for this model (five-crop averaging stays in tfjs). */
export async function fastestForward(model: tf.LayersModel, pre: Preprocessing, multiCrop = false): Promise<BatchForward> {
  return (!multiCrop && (await onnxForward(model, pre))) || tfjsForward(model, pre, multiCrop);
}
