/**
 * Runs the engine's update rules (src/shared/optim/rules.ts) on a 2-D surface. The rules are
 * elementwise, so treating x and y as two scalar parameters is exact: no re-implementation here.
 */
import { effectiveLr, numberArith, optimizerStep, type OptimizerHyper, type OptimizerSlots } from '../../../shared/optim/rules';
import type { OptimizerName } from '../../../shared/config';
import type { Surface, Vec2 } from './surfaces';

export interface TrajectoryPoint {
  /** Step count after this point's update (0 = the start). */
  t: number;
  x: number;
  y: number;
  loss: number;
  /** Gradient used to reach this point (at the previous point); [0,0] at the start. */
  g: Vec2;
  /** The step just taken, θ_t − θ_{t−1}. */
  update: Vec2;
  /** Slots after this step, per coordinate. */
  slots: readonly [OptimizerSlots<number>, OptimizerSlots<number>];
  /** Effective learning rate per coordinate after this step (η/√(c+ε) for adaptive methods). */
  effLr: Vec2;
}

export interface Trajectory {
  name: OptimizerName;
  hyper: OptimizerHyper;
  points: TrajectoryPoint[];
  /** Set when θ or the loss became non-finite or left any sane range; the path stops there. */
  divergedAt?: number;
}

/** Beyond this |θ| the picture is meaningless; stop rather than draw Infinity. */
const BLOW_UP = 1e6;

export function startPoint(surface: Surface, start: Vec2): TrajectoryPoint {
  return {
    t: 0,
    x: start[0],
    y: start[1],
    loss: surface.f(start[0], start[1]),
    g: [0, 0],
    update: [0, 0],
    slots: [{ t: 0 }, { t: 0 }],
    effLr: [0, 0],
  };
}

/** One step from `p`: the gradient at p, then the rule applied to x and y separately. */
export function stepFrom(name: OptimizerName, surface: Surface, p: TrajectoryPoint, h: OptimizerHyper): TrajectoryPoint {
  const g = surface.grad(p.x, p.y);
  const sx = optimizerStep(name, numberArith, p.x, g[0], p.slots[0], h);
  const sy = optimizerStep(name, numberArith, p.y, g[1], p.slots[1], h);
  const t = sx.slots.t;
  return {
    t,
    x: sx.theta,
    y: sy.theta,
    loss: surface.f(sx.theta, sy.theta),
    g,
    update: [sx.update, sy.update],
    slots: [sx.slots, sy.slots],
    effLr: [effectiveLr(name, sx.slots.c, h, t), effectiveLr(name, sy.slots.c, h, t)],
  };
}

export function runTrajectory(name: OptimizerName, surface: Surface, start: Vec2, h: OptimizerHyper, steps: number): Trajectory {
  const points = [startPoint(surface, start)];
  const traj: Trajectory = { name, hyper: h, points };
  for (let i = 0; i < steps; i++) {
    const next = stepFrom(name, surface, points[points.length - 1], h);
    if (!Number.isFinite(next.loss) || !(Math.abs(next.x) < BLOW_UP) || !(Math.abs(next.y) < BLOW_UP)) {
      traj.divergedAt = next.t;
      break;
    }
    points.push(next);
  }
  return traj;
}

/** Number of sign changes of one coordinate's update along a path (zig-zag measure). */
export function signChanges(points: readonly TrajectoryPoint[], coord: 0 | 1): number {
  let n = 0;
  for (let i = 2; i < points.length; i++) {
    if (Math.sign(points[i].update[coord]) * Math.sign(points[i - 1].update[coord]) < 0) n++;
  }
  return n;
}

/** First step at which the path is within `tol` (Euclidean) of `target`, or undefined. */
export function stepsToReach(points: readonly TrajectoryPoint[], target: Vec2, tol: number): number | undefined {
  const p = points.find((q) => Math.hypot(q.x - target[0], q.y - target[1]) < tol);
  return p?.t;
}

/** First step from which the path stays within `tol` of `target` to its end, or undefined. */
export function settleStep(points: readonly TrajectoryPoint[], target: Vec2, tol: number): number | undefined {
  let k: number | undefined;
  for (let i = points.length - 1; i >= 0; i--) {
    if (Math.hypot(points[i].x - target[0], points[i].y - target[1]) < tol) k = points[i].t;
    else break;
  }
  return k;
}
