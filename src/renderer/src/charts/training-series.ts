import type { BatchLog, EpochLog } from '../../../shared/dto';
import { DebiasedEma, clampWeight } from '../../../shared/analysis/smoothing';
import { batchX, epochOffset, epochX } from '../../../shared/analysis/series';

export type Point = [number, number];

/**
 * Interleaved [x0, y0, x1, y1, …] in a growing Float64Array. ECharts reads typed arrays (with `dimensions`)
 * an order of magnitude faster than arrays of [x, y] pairs, which is what keeps 100,000 points fluid.
 */
export class XYBuffer {
  private buf = new Float64Array(1024);
  length = 0;

  push(x: number, y: number): void {
    if (2 * this.length + 2 > this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[2 * this.length] = x;
    // ±Infinity would stretch the axis to nothing; a gap (NaN) is what a non-finite loss should look like.
    this.buf[2 * this.length + 1] = Number.isFinite(y) ? y : Number.NaN;
    this.length++;
  }

  /** A view of the filled part (no copy). */
  view(): Float64Array {
    return this.buf.subarray(0, 2 * this.length);
  }

  lastX(): number | undefined {
    return this.length ? this.buf[2 * this.length - 2] : undefined;
  }

  /** Largest / smallest positive finite y, for choosing a log axis. */
  yRange(): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 1; i < 2 * this.length; i += 2) {
      const y = this.buf[i]!;
      if (y > 0 && y < lo) lo = y;
      if (y > hi) hi = y;
    }
    return [lo, hi];
  }
}

/**
 * Chart points for per-batch curves, kept append-only: when the log only grew, just the new batches are
 * converted and smoothed (O(new) per frame); anything else (thinning, another run, a new smoothing weight)
 * rebuilds into fresh buffers.
 */
export class BatchSeries {
  loss = new XYBuffer();
  smoothLoss = new XYBuffer();
  accuracy = new XYBuffer();
  smoothAccuracy = new XYBuffer();
  lr = new XYBuffer();
  private seen = 0;
  private last: BatchLog | null = null;
  private offset = 0;
  private weight = 0;
  private emaLoss = new DebiasedEma(0);
  private emaAcc = new DebiasedEma(0);

  /** Brings the points up to date with `batches`; returns true when anything changed. */
  sync(batches: readonly BatchLog[], offset: number, weight: number): boolean {
    const w = clampWeight(weight);
    const grewOnly =
      w === this.weight &&
      offset === this.offset &&
      batches.length >= this.seen &&
      (this.seen === 0 || sameBatch(batches[this.seen - 1], this.last));
    if (!grewOnly) this.reset(offset, w);
    if (batches.length === this.seen) return !grewOnly;
    for (let i = this.seen; i < batches.length; i++) {
      const b = batches[i]!;
      const x = batchX(b, offset);
      this.loss.push(x, b.loss);
      this.smoothLoss.push(x, this.emaLoss.push(b.loss));
      this.accuracy.push(x, b.accuracy);
      this.smoothAccuracy.push(x, this.emaAcc.push(b.accuracy));
      this.lr.push(x, b.lr);
    }
    this.seen = batches.length;
    this.last = batches[batches.length - 1] ?? null;
    return true;
  }

  private reset(offset: number, weight: number): void {
    this.loss = new XYBuffer();
    this.smoothLoss = new XYBuffer();
    this.accuracy = new XYBuffer();
    this.smoothAccuracy = new XYBuffer();
    this.lr = new XYBuffer();
    this.seen = 0;
    this.last = null;
    this.offset = offset;
    this.weight = weight;
    this.emaLoss = new DebiasedEma(weight);
    this.emaAcc = new DebiasedEma(weight);
  }
}

function sameBatch(a: BatchLog | undefined, b: BatchLog | null): boolean {
  return !!a && !!b && a.epoch === b.epoch && a.batch === b.batch && Object.is(a.loss, b.loss);
}

export interface EpochSeries {
  loss: Point[];
  accuracy: Point[];
  valLoss: Point[];
  valAccuracy: Point[];
  lr: Point[];
  imagesPerS: Point[];
  durationS: Point[];
}

export function epochSeries(epochs: readonly EpochLog[], offset: number): EpochSeries {
  const s: EpochSeries = { loss: [], accuracy: [], valLoss: [], valAccuracy: [], lr: [], imagesPerS: [], durationS: [] };
  for (const e of epochs) {
    const x = epochX(e, offset);
    s.loss.push([x, e.loss]);
    s.accuracy.push([x, e.accuracy]);
    if (e.valLoss !== null) s.valLoss.push([x, e.valLoss]);
    if (e.valAccuracy !== null) s.valAccuracy.push([x, e.valAccuracy]);
    s.lr.push([x, e.lr]);
    s.imagesPerS.push([x, e.imagesPerS]);
    s.durationS.push([x, e.durationS]);
  }
  return s;
}

export { epochOffset };

/** A log axis reads better once the values span more than a factor of 20 (LR schedules, warm-up). */
export function wantsLogAxis(points: readonly Point[] | XYBuffer): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  if (points instanceof XYBuffer) [lo, hi] = points.yRange();
  else
    for (const [, y] of points) {
      if (!(y > 0) || !Number.isFinite(y)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  return lo > 0 && Number.isFinite(hi) && hi / lo > 20;
}
