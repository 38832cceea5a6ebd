/**
 * 2-D loss surfaces for the optimizer playground, each with an analytic gradient so the trajectories
 * are exact to float64 (no finite-difference noise in the teaching pictures).
 */

export type Vec2 = readonly [number, number];

export interface Domain {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

export interface Surface {
  id: SurfaceId | 'custom';
  f(x: number, y: number): number;
  grad(x: number, y: number): Vec2;
  /** The region drawn by default. */
  domain: Domain;
  /** The global minimum, when known (drawn as a star, used by the presets' claims). */
  minimum?: Vec2;
  /** How the gradient is obtained, shown in the UI. */
  gradient: 'analytic' | 'symbolic' | 'central-differences';
  /** Human-readable formula. */
  formula: string;
}

export type SurfaceId = 'valley' | 'saddle' | 'rosenbrock' | 'bumpy' | 'plateau';

export const SURFACE_IDS: readonly SurfaceId[] = ['valley', 'saddle', 'rosenbrock', 'bumpy', 'plateau'];

/** Narrow valley: curvature 0.1 along x and 20 along y (condition number 200). */
const VALLEY_A = 0.1;
const VALLEY_B = 20;
const valley: Surface = {
  id: 'valley',
  formula: 'f = (0.1·x² + 20·y²) / 2',
  gradient: 'analytic',
  f: (x, y) => 0.5 * (VALLEY_A * x * x + VALLEY_B * y * y),
  grad: (x, y) => [VALLEY_A * x, VALLEY_B * y],
  domain: { xmin: -10, xmax: 2, ymin: -3, ymax: 3 },
  minimum: [0, 0],
};

/** A saddle at the origin with two minima at y = ±1: a descent from x ≠ 0, y ≈ 0 must escape sideways. */
const saddle: Surface = {
  id: 'saddle',
  formula: 'f = x²/2 + y⁴/4 − y²/2',
  gradient: 'analytic',
  f: (x, y) => 0.5 * x * x + 0.25 * y ** 4 - 0.5 * y * y,
  grad: (x, y) => [x, y ** 3 - y],
  domain: { xmin: -2.5, xmax: 2.5, ymin: -1.8, ymax: 1.8 },
  minimum: [0, 1],
};

const rosenbrock: Surface = {
  id: 'rosenbrock',
  formula: 'f = (1 − x)² + 100·(y − x²)²',
  gradient: 'analytic',
  f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  grad: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  domain: { xmin: -2, xmax: 2, ymin: -1, ymax: 3 },
  minimum: [1, 1],
};

/** A wide bowl with ripples: small local minima about every π, the lowest one at the origin. */
const BUMP_BOWL = 0.1;
const BUMP_AMP = 0.6;
const BUMP_K = 2;
const bumpy: Surface = {
  id: 'bumpy',
  formula: 'f = 0.1·(x² + y²) + 0.6·(1 − cos 2x · cos 2y)',
  gradient: 'analytic',
  f: (x, y) => BUMP_BOWL * (x * x + y * y) + BUMP_AMP * (1 - Math.cos(BUMP_K * x) * Math.cos(BUMP_K * y)),
  grad: (x, y) => [
    2 * BUMP_BOWL * x + BUMP_AMP * BUMP_K * Math.sin(BUMP_K * x) * Math.cos(BUMP_K * y),
    2 * BUMP_BOWL * y + BUMP_AMP * BUMP_K * Math.cos(BUMP_K * x) * Math.sin(BUMP_K * y),
  ],
  domain: { xmin: -6, xmax: 6, ymin: -4.5, ymax: 4.5 },
  minimum: [0, 0],
};

/**
 * Walking in the +x direction: a steep slope, then a long, almost flat shelf, then a cliff down to the
 * minimum. Built from smooth pieces so the gradient is exact everywhere:
 *   entry slope  4·softplus(−2(x+3))/2  (slope −4 far left, flat right of x ≈ −3)
 *   shelf tilt   −0.02·x
 *   cliff        −2·σ(4(x−2))
 *   back wall    4·softplus(2(x−4))/2
 *   valley       y²
 */
function softplus(z: number): number {
  return z > 30 ? z : Math.log1p(Math.exp(z));
}
function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
const plateau: Surface = {
  id: 'plateau',
  formula: 'f = 2·softplus(−2(x+3)) − 0.02·x − 2·σ(4(x−2)) + 2·softplus(2(x−4)) + y²',
  gradient: 'analytic',
  f: (x, y) => 2 * softplus(-2 * (x + 3)) - 0.02 * x - 2 * sigmoid(4 * (x - 2)) + 2 * softplus(2 * (x - 4)) + y * y,
  grad: (x, y) => {
    const s = sigmoid(4 * (x - 2));
    return [-4 * sigmoid(-2 * (x + 3)) - 0.02 - 8 * s * (1 - s) + 4 * sigmoid(2 * (x - 4)), 2 * y];
  },
  domain: { xmin: -6, xmax: 6, ymin: -2, ymax: 2 },
};

export const SURFACES: Record<SurfaceId, Surface> = { valley, saddle, rosenbrock, bumpy, plateau };

/** Numeric minimum of a 1-D-dominated surface, found once (used for the plateau's star). */
function locatePlateauMinimum(): Vec2 {
  let best = 0;
  let bestF = Infinity;
  for (let x = 2; x <= 6; x += 1e-3) {
    const v = plateau.f(x, 0);
    if (v < bestF) {
      bestF = v;
      best = x;
    }
  }
  return [best, 0];
}
plateau.minimum = locatePlateauMinimum();
