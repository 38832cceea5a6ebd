import { describe, expect, it } from 'vitest';
import { numberArith, optimizerStep, type OptimizerHyper, type OptimizerSlots } from './rules';

const h: OptimizerHyper = { lr: 0.1, momentum: 0.9, rho: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

describe('optimizer rules of the source document, by hand', () => {
  it('SGD: θ − η·g', () => {
    expect(optimizerStep('sgd', numberArith, 1, 2, { t: 0 }, h).theta).toBeCloseTo(0.8, 12);
  });
  it('Momentum accumulates velocity: two steps with g=1', () => {
    const s1 = optimizerStep('momentum', numberArith, 0, 1, { t: 0 }, h);
    expect(s1.slots.v).toBeCloseTo(-0.1, 12);
    const s2 = optimizerStep('momentum', numberArith, s1.theta, 1, s1.slots, h);
    expect(s2.slots.v).toBeCloseTo(-0.19, 12);
    expect(s2.theta).toBeCloseTo(-0.29, 12);
  });
  it('Adagrad starts its accumulator at 0, so the first step is η·sign(g)', () => {
    const s = optimizerStep('adagrad', numberArith, 0, 4, { t: 0 }, h);
    expect(s.slots.c).toBe(16);
    expect(s.theta).toBeCloseTo(-0.1, 8);
  });
  it('RMSProp: c = (1−γ)·g² after one step', () => {
    const s = optimizerStep('rmsprop', numberArith, 0, 2, { t: 0 }, h);
    expect(s.slots.c).toBeCloseTo(0.4, 12);
    expect(s.theta).toBeCloseTo(-0.1 * 2 / Math.sqrt(0.4 + 1e-8), 12);
  });
  it('Adam: bias correction makes the first step ≈ η, with ε inside the root', () => {
    const s = optimizerStep('adam', numberArith, 0, 3, { t: 0 }, h);
    expect(s.theta).toBeCloseTo(-0.1 * 3 / Math.sqrt(9 + 1e-8), 12);
    let slots: OptimizerSlots<number> = s.slots;
    let theta = s.theta;
    const s2 = optimizerStep('adam', numberArith, theta, 1, slots, h);
    const m = 0.9 * 0.3 + 0.1 * 1;
    const c = 0.999 * 0.009 + 0.001 * 1;
    const expected = theta - 0.1 * (m / (1 - 0.81)) / Math.sqrt(c / (1 - 0.999 ** 2) + 1e-8);
    expect(s2.theta).toBeCloseTo(expected, 12);
    slots = s2.slots;
    theta = s2.theta;
    expect(slots.t).toBe(2);
  });
});
