/**
 * One model, many callers: images are queued as decoded pixels and run through the model in batches of
 * up to `maxBatch`, one batch at a time. A batch is not dispatched the moment one image is waiting: it waits
 * (at most `lingerMs`) until `maxBatch` images are there or the caller says no more are coming, so the model
 * sees full batches instead of many tiny ones (each run has a fixed cost). Decoding — done by the callers, on
 * sharp's threads — overlaps with inference.
 */
import type { Preprocessing } from '../../shared/dto';
import { normalizationOf } from '../export/preprocessing-doc';
import type { BatchForward } from './batch-forward';

interface Pending {
  pixels: Uint8Array;
  resolve: (probs: Float32Array) => void;
  reject: (err: Error) => void;
}

export interface InferenceQueueOptions {
  /** Largest batch run at once (default 64). */
  maxBatch?: number;
  /** How long a partial batch waits for more images before it runs (default 2 ms; Infinity: until moreComing() says none are). */
  lingerMs?: number;
  /** False once no more images will be queued soon (e.g. a folder's last image is decoded): a partial batch then runs at once. */
  moreComing?: () => boolean;
}

export class InferenceQueue {
  private readonly queue: Pending[] = [];
  private busy = false;
  private wake: (() => void) | null = null;
  private readonly idle: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly moreComing: () => boolean;

  constructor(
    private readonly forward: BatchForward,
    private readonly pre: Preprocessing,
    opts: InferenceQueueOptions | number = {},
  ) {
    const o = typeof opts === 'number' ? { maxBatch: opts } : opts;
    this.maxBatch = Math.max(1, o.maxBatch ?? 64);
    this.lingerMs = o.lingerMs ?? 2;
    this.moreComing = o.moreComing ?? (() => true);
  }

  /** Class probabilities for one decoded image (size × size × channels, 0…255). */
  run(pixels: Uint8Array): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ pixels, resolve, reject });
      if (!this.busy) void this.pump();
      else if (this.wake && this.ready()) this.wake();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves once at most `n` images are waiting (for callers that must not run far ahead of the model). */
  async below(n: number): Promise<void> {
    while (this.queue.length > n && this.busy) await new Promise<void>((r) => this.idle.push(r));
  }

  /** Tell the queue moreComing() may have changed (e.g. an image failed to decode): a waiting partial batch runs if none are coming. */
  poke(): void {
    if (this.wake && this.ready()) this.wake();
  }

  private ready(): boolean {
    return this.queue.length >= this.maxBatch || !this.moreComing();
  }

  /** Until a full batch is waiting, no more images are coming, or lingerMs passed. */
  private fill(): Promise<void> {
    if (this.ready() || this.lingerMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = Number.isFinite(this.lingerMs) ? setTimeout(done, this.lingerMs) : undefined;
      this.wake = done;
    });
  }

  private async pump(): Promise<void> {
    this.busy = true;
    const { size, channels } = this.pre.input;
    const per = size * size * channels;
    const { scale, offset } = normalizationOf(this.pre.normalization);
    try {
      while (this.queue.length) {
        await this.fill();
        const batch = this.queue.splice(0, this.maxBatch);
        for (const r of this.idle.splice(0)) r();
        try {
          const x = new Float32Array(batch.length * per);
          for (let i = 0; i < batch.length; i++) {
            const px = batch[i].pixels;
            const o = i * per;
            for (let j = 0; j < per; j++) x[o + j] = px[j] * scale + offset;
          }
          const probs = await this.forward(x, batch.length);
          const classes = probs.length / batch.length;
          batch.forEach((p, i) => p.resolve(probs.subarray(i * classes, (i + 1) * classes)));
        } catch (err) {
          for (const p of batch) p.reject(err as Error);
        }
      }
    } finally {
      this.busy = false;
      for (const r of this.idle.splice(0)) r();
    }
  }
}
