/**
 * One model, many callers: images are queued as decoded pixels and run through the model in batches of
 * up to `maxBatch`, one batch at a time. Whoever is waiting when a batch finishes goes into the next one,
 * so under load (a folder, or many HTTP clients) the model sees full batches, and decoding — done by the
 * callers, on sharp's threads — overlaps with inference.
 */
import type { Preprocessing } from '../../shared/dto';
import { normalizationOf } from '../export/preprocessing-doc';
import type { BatchForward } from './batch-forward';

interface Pending {
  pixels: Uint8Array;
  resolve: (probs: Float32Array) => void;
  reject: (err: Error) => void;
}

export class InferenceQueue {
  private readonly queue: Pending[] = [];
  private busy = false;

  constructor(
    private readonly forward: BatchForward,
    private readonly pre: Preprocessing,
    private readonly maxBatch = 64,
  ) {}

  /** Class probabilities for one decoded image (size × size × channels, 0…255). */
  run(pixels: Uint8Array): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ pixels, resolve, reject });
      if (!this.busy) void this.pump();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  private async pump(): Promise<void> {
    this.busy = true;
    const { size, channels } = this.pre.input;
    const per = size * size * channels;
    const { scale, offset } = normalizationOf(this.pre.normalization);
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const x = new Float32Array(batch.length * per);
          batch.forEach((p, i) => {
            const o = i * per;
            for (let j = 0; j < per; j++) x[o + j] = p.pixels[j] * scale + offset;
          });
          const probs = await this.forward(x, batch.length);
          const classes = probs.length / batch.length;
          batch.forEach((p, i) => p.resolve(probs.slice(i * classes, (i + 1) * classes)));
        } catch (err) {
          for (const p of batch) p.reject(err as Error);
        }
        // Let callers that finished decoding meanwhile join the next batch.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.busy = false;
    }
  }
}
