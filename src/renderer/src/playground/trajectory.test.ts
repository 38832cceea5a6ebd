import { describe, expect, it } from 'vitest';
import type { OptimizerHyper } from '../../../shared/optim/rules';
import type { Surface } from './surfaces';
import { runTrajectory } from './trajectory';
import { explainStep } from './explain';

/** f = (x² + 10·y²)/2: gradient (x, 10·y), so every step can be written out by hand. */
const quad: Surface = {
  id: 'custom',
  formula: 'f = (x² + 10·y²)/2',
  gradient: 'analytic',
  f: (x, y) => 0.5 * (x * x + 10 * y * y),
  grad: (x, y) => [x, 10 * y],
  domain: { xmin: -2, xmax: 2, ymin: -2, ymax: 2 },
  minimum: [0, 0],
};
const h: OptimizerHyper = { lr: 0.1, momentum: 0.9, rho: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const run = (name: Parameters<typeof runTrajectory>[0], steps: number, hh: OptimizerHyper = h) => runTrajectory(name, quad, [1, 1], hh, steps).points;

describe('trajectories on a quadratic match hand-computed values', () => {
  it('SGD follows the closed form θ_t = (1 − η·a)^t·θ_0 per coordinate', () => {
    const pts = run('sgd', 10);
    for (const p of pts) {
      expect(p.x).toBeCloseTo(0.9 ** p.t, 14);
      expect(p.y).toBeCloseTo(0 ** p.t, 14); // η·10 = 1 lands on the minimum in one step
    }
    const pts2 = runTrajectory('sgd', quad, [1, 1], { ...h, lr: 0.15 }, 6).points;
    for (const p of pts2) expect(p.y).toBeCloseTo((-0.5) ** p.t, 14); // 1 − 0.15·10 = −0.5: the zig-zag
  });

  it('Momentum: first three steps by hand, then the recurrence θ_{t+1} = (1+γ−ηa)·θ_t − γ·θ_{t−1}', () => {
    const pts = run('momentum', 40);
    // x: v1 = −0.1, x1 = 0.9; v2 = 0.9·(−0.1) − 0.1·0.9 = −0.18, x2 = 0.72; v3 = −0.162 − 0.072 = −0.234, x3 = 0.486
    expect([pts[1].x, pts[2].x, pts[3].x]).toEqual([expect.closeTo(0.9, 14), expect.closeTo(0.72, 14), expect.closeTo(0.486, 14)]);
    expect(pts[3].slots[0].v).toBeCloseTo(-0.234, 14);
    // y: g1 = 10 → v1 = −1, y1 = 0; g2 = 0 → v2 = −0.9, y2 = −0.9; g3 = −9 → v3 = −0.81 + 0.9 = 0.09, y3 = −0.81
    expect([pts[1].y, pts[2].y, pts[3].y]).toEqual([expect.closeTo(0, 14), expect.closeTo(-0.9, 14), expect.closeTo(-0.81, 14)]);
    for (let t = 1; t < 39; t++) {
      expect(pts[t + 1].x).toBeCloseTo((1 + 0.9 - 0.1) * pts[t].x - 0.9 * pts[t - 1].x, 12);
      expect(pts[t + 1].y).toBeCloseTo((1 + 0.9 - 1) * pts[t].y - 0.9 * pts[t - 1].y, 12);
    }
  });

  it('Nesterov: θ_1 = θ_0 − η·g·(1 + γ)', () => {
    const p = run('nesterov', 1)[1];
    expect(p.x).toBeCloseTo(1 - 0.1 * 1 * 1.9, 14);
    expect(p.y).toBeCloseTo(1 - 0.1 * 10 * 1.9, 14);
  });

  it('Adagrad: first step is η in each coordinate whatever the curvature, then η·g/√(g1² + g2²)', () => {
    const pts = run('adagrad', 2);
    expect(pts[1].x).toBeCloseTo(0.9, 7);
    expect(pts[1].y).toBeCloseTo(0.9, 7);
    expect(pts[2].x).toBeCloseTo(0.9 - (0.1 * 0.9) / Math.sqrt(1 + 0.81), 7);
    expect(pts[2].y).toBeCloseTo(0.9 - (0.1 * 9) / Math.sqrt(100 + 81), 7);
    expect(pts[2].effLr[1]).toBeCloseTo(0.1 / Math.sqrt(181), 9);
  });

  it('RMSProp: c1 = (1−γ)·g², so the first step is η/√0.1 ≈ 0.316 in each coordinate', () => {
    const pts = run('rmsprop', 2);
    expect(pts[1].x).toBeCloseTo(1 - 0.1 / Math.sqrt(0.1), 7);
    expect(pts[1].y).toBeCloseTo(1 - 0.1 / Math.sqrt(0.1), 7);
    const g2 = 1 - 0.1 / Math.sqrt(0.1); // x after step 1 is also the x-gradient at step 2
    const c2 = 0.9 * 0.1 + 0.1 * g2 * g2;
    expect(pts[2].x).toBeCloseTo(g2 - (0.1 * g2) / Math.sqrt(c2), 7);
  });

  it('Adam: bias correction makes step 1 exactly η·sign(g); step 2 by hand', () => {
    const pts = run('adam', 2);
    expect(pts[1].x).toBeCloseTo(0.9, 7);
    expect(pts[1].y).toBeCloseTo(0.9, 7);
    const y1 = pts[1].y; // 0.9 up to ε
    const g = 10 * y1;
    const m = 0.9 * 1 + 0.1 * g; // m1 = 0.1·10 = 1
    const c = 0.999 * 0.1 + 0.001 * g * g; // c1 = 0.001·100 = 0.1
    const expected = y1 - (0.1 * (m / (1 - 0.81))) / Math.sqrt(c / (1 - 0.999 ** 2) + 1e-8);
    expect(pts[2].y).toBeCloseTo(expected, 12);
  });

  it('stops and reports divergence instead of producing Infinity', () => {
    const tr = runTrajectory('sgd', quad, [1, 1], { ...h, lr: 0.5 }, 500); // |1 − 0.5·10| = 4 per step on y
    expect(tr.divergedAt).toBeGreaterThan(5);
    expect(tr.points.every((p) => Number.isFinite(p.loss))).toBe(true);
  });

  it('the written-out update ends with the value the rule produced', () => {
    for (const name of ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'] as const) {
      const pts = run(name, 3);
      const lines = explainStep(name, h, pts[2], pts[3], 0);
      const last = lines[lines.length - 2];
      expect(last.startsWith('θ ←')).toBe(true);
      const shown = Number(last.split('=').pop()!.trim().replace(/[()]/g, '').replace('−', '-'));
      expect(shown).toBeCloseTo(pts[3].x, 3);
    }
  });
});
