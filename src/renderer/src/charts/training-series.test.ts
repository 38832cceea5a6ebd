import { describe, expect, it } from 'vitest';
import type { BatchLog } from '../../../shared/dto';
import { debiasedEma } from '../../../shared/analysis/smoothing';
import { BatchSeries, XYBuffer, wantsLogAxis } from './training-series';

function batches(epochs: number, per: number): BatchLog[] {
  const out: BatchLog[] = [];
  for (let e = 1; e <= epochs; e++)
    for (let b = 0; b < per; b++) out.push({ epoch: e, batch: b, batchesPerEpoch: per, loss: 2 / (e + b / per) + (b % 3) * 0.05, accuracy: 0.5, lr: 0.01 });
  return out;
}

const ys = (v: Float64Array) => Array.from(v).filter((_, i) => i % 2 === 1);
const xs = (v: Float64Array) => Array.from(v).filter((_, i) => i % 2 === 0);

describe('BatchSeries', () => {
  it('puts batch b of epoch e inside (e−1, e] and smooths with the debiased EMA', () => {
    const s = new BatchSeries();
    const log = batches(2, 4);
    s.sync(log, 0, 0.6);
    expect(xs(s.loss.view())).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
    expect(ys(s.smoothLoss.view())).toEqual(debiasedEma(log.map((b) => b.loss), 0.6));
  });

  it('appending live gives the same points as drawing the whole log at once', () => {
    const log = batches(5, 40);
    const live = new BatchSeries();
    for (let n = 1; n <= log.length; n += 7) live.sync(log.slice(0, n), 0, 0.9);
    live.sync(log, 0, 0.9);
    const whole = new BatchSeries();
    whole.sync(log, 0, 0.9);
    expect(Array.from(live.smoothLoss.view())).toEqual(Array.from(whole.smoothLoss.view()));
    expect(live.loss.length).toBe(200);
  });

  it('rebuilds when the store thins old points or the weight changes', () => {
    const log = batches(3, 10);
    const s = new BatchSeries();
    s.sync(log, 0, 0.5);
    const thinned = [...log.slice(0, 15).filter((_, i) => i % 2 === 0), ...log.slice(15)];
    s.sync(thinned, 0, 0.5);
    expect(s.loss.length).toBe(thinned.length);
    s.sync(thinned, 0, 0);
    expect(ys(s.smoothLoss.view())).toEqual(thinned.map((b) => b.loss));
  });

  it('draws a non-finite loss as a gap', () => {
    const buf = new XYBuffer();
    buf.push(1, 2);
    buf.push(2, Number.POSITIVE_INFINITY);
    buf.push(3, Number.NaN);
    expect(ys(buf.view()).map(Number.isNaN)).toEqual([false, true, true]);
  });

  it('asks for a log axis only when the learning rate spans more than ×20', () => {
    expect(wantsLogAxis([[0, 0.1], [1, 0.01]])).toBe(false);
    expect(wantsLogAxis([[0, 0.1], [1, 0.001]])).toBe(true);
    const b = new XYBuffer();
    for (let i = 0; i < 5000; i++) b.push(i, 0.1 * Math.pow(0.999, i));
    expect(wantsLogAxis(b)).toBe(true);
  });
});
