/**
 * The model behind the live page (camera frames, a dropped image) and behind heatmaps of dataset images, kept
 * loaded between calls: loading a model and converting it for onnxruntime takes seconds, a frame must take
 * milliseconds. One model is held at a time (opening another releases it); calls run one after another, so a
 * frame never races a model switch.
 */
import type * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Preprocessing } from '../../shared/dto';
import { toLabErrorData } from '../../shared/errors';
import type { LiveModelInfo, LivePrediction } from '../../shared/live';
import { decodeForModel } from '../datasets/preprocess';
import { camLayerName } from '../explain/grad-cam';
import { explainPixels } from '../explain/explain-images';
import type { Workspace } from '../workspace';
import { fastestForward, type BatchForward } from './batch-forward';
import { resolvePredictModel } from './resolve-model';
import { normalizationOf } from '../export/preprocessing-doc';

interface Held {
  ref: string;
  model: tf.LayersModel;
  labels: string[];
  pre: Preprocessing;
  forward: BatchForward;
  explainable: boolean;
}

/** The model input as a PNG data URL (what the model saw, for the heat to lie over). */
export async function modelInputPng(pixels: Uint8Array, pre: Preprocessing): Promise<string> {
  const { size, channels } = pre.input;
  const png = await sharp(pixels, { raw: { width: size, height: size, channels } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The model's input values for one decoded image (as toInputTensor computes them, without a tensor). */
function normalised(pixels: Uint8Array, pre: Preprocessing): Float32Array {
  const { scale, offset } = normalizationOf(pre.normalization);
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i]! * scale + offset;
  return x;
}

function hasFeatureMap(model: tf.LayersModel): boolean {
  try {
    camLayerName(model);
    return true;
  } catch {
    return false;
  }
}

export class LiveSession {
  private held: Held | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly ws: Workspace) {}

  /** Runs `job` after every earlier call has finished (successfully or not). */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.chain.then(job, job);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async hold(ref: string): Promise<Held> {
    if (this.held?.ref === ref) return this.held;
    this.releaseNow();
    const resolved = await resolvePredictModel(this.ws, ref);
    try {
      const forward = await fastestForward(resolved.model, resolved.preprocessing);
      this.held = { ref, model: resolved.model, labels: resolved.labels, pre: resolved.preprocessing, forward, explainable: hasFeatureMap(resolved.model) };
      return this.held;
    } catch (err) {
      resolved.model.dispose();
      throw err;
    }
  }

  private info(h: Held): LiveModelInfo {
    return { model: h.ref, labels: h.labels, input: h.pre.input, engine: h.forward.engine, heatmap: h.explainable };
  }

  open(ref: string): Promise<LiveModelInfo> {
    return this.serial(async () => this.info(await this.hold(ref)));
  }

  /** One image (encoded bytes) through the held model: probabilities, and a heatmap of its top class when asked. */
  predict(ref: string, image: Buffer, opts: { heatmap?: boolean; preview?: boolean } = {}): Promise<LivePrediction> {
    return this.serial(async () => {
      const h = await this.hold(ref);
      const started = performance.now();
      const pixels = await decodeForModel(image, h.pre.input);
      const probabilities = Array.from(await h.forward(normalised(pixels, h.pre), 1));
      const out: LivePrediction = { probabilities, engineMs: 0 };
      if (opts.preview || opts.heatmap) out.preview = await modelInputPng(pixels, h.pre);
      if (opts.heatmap) {
        const top = probabilities.indexOf(Math.max(...probabilities));
        try {
          out.heatmap = await explainPixels(h.model, h.labels, h.pre, pixels, h.labels[top] ?? '');
        } catch (err) {
          out.heatmapError = toLabErrorData(err);
        }
      }
      out.engineMs = performance.now() - started;
      return out;
    });
  }

  /**
   * Decoded model inputs explained with the held model: each gets the heat for `label` (default its top class now).
   * `pixelsOf` supplies an input or throws a LabError, which becomes that image's error.
   */
  explain<K>(ref: string, items: { key: K; label?: string }[], pixelsOf: (key: K, pre: Preprocessing) => Promise<Uint8Array>): Promise<{ key: K; preview?: string; heatmap?: LivePrediction['heatmap']; error?: LivePrediction['heatmapError'] }[]> {
    return this.serial(async () => {
      const h = await this.hold(ref);
      const out = [];
      for (const item of items) {
        try {
          const pixels = await pixelsOf(item.key, h.pre);
          let label = item.label;
          if (!label || !h.labels.includes(label)) {
            const p = Array.from(await h.forward(normalised(pixels, h.pre), 1));
            label = h.labels[p.indexOf(Math.max(...p))] ?? '';
          }
          out.push({ key: item.key, preview: await modelInputPng(pixels, h.pre), heatmap: await explainPixels(h.model, h.labels, h.pre, pixels, label) });
        } catch (err) {
          out.push({ key: item.key, error: toLabErrorData(err) });
        }
      }
      return out;
    });
  }

  private releaseNow(): boolean {
    if (!this.held) return false;
    this.held.model.dispose();
    this.held = null;
    return true;
  }

  /** Frees the held model (the live page left, or the service stops). */
  release(): Promise<boolean> {
    return this.serial(async () => this.releaseNow());
  }
}
