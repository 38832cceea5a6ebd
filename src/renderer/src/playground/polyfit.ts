/**
 * Least-squares polynomial fitting for the under/overfitting demo. x is mapped affinely onto [−1, 1]
 * and the Vandermonde columns are scaled to unit norm before a Householder QR solve, which minimises
 * ‖Ac − y‖ without forming AᵀA (whose condition number is the square of A's).
 */
import { gaussian, mulberry32 } from './rng';

export interface Polynomial {
  degree: number;
  /** Coefficients in the scaled variable t = (x − center)/halfWidth, lowest power first. */
  scaled: number[];
  center: number;
  halfWidth: number;
}

export function evaluate(p: Polynomial, x: number): number {
  const t = (x - p.center) / p.halfWidth;
  let v = 0;
  for (let k = p.scaled.length - 1; k >= 0; k--) v = v * t + p.scaled[k];
  return v;
}

/** Solves min ‖A c − b‖ for A (n×m, row-major, n ≥ m, full column rank) by Householder QR. */
export function leastSquaresQR(A: number[][], b: number[]): number[] {
  const n = A.length;
  const m = A[0]?.length ?? 0;
  if (n < m) throw new Error(`least squares needs at least ${m} points for ${m} unknowns, got ${n}`);
  const R = A.map((row) => row.slice());
  const q = b.slice();
  for (let k = 0; k < m; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm += R[i][k] * R[i][k];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error(`column ${k} is zero: the points do not determine a degree-${m - 1} polynomial`);
    const alpha = R[k][k] > 0 ? -norm : norm;
    const v = new Array<number>(n).fill(0);
    for (let i = k; i < n; i++) v[i] = R[i][k];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let j = k; j < m; j++) {
      let s = 0;
      for (let i = k; i < n; i++) s += v[i] * R[i][j];
      s = (2 * s) / vv;
      for (let i = k; i < n; i++) R[i][j] -= s * v[i];
    }
    let s = 0;
    for (let i = k; i < n; i++) s += v[i] * q[i];
    s = (2 * s) / vv;
    for (let i = k; i < n; i++) q[i] -= s * v[i];
  }
  const c = new Array<number>(m).fill(0);
  const scale = Math.max(...Array.from({ length: m }, (_, i) => Math.abs(R[i][i])));
  for (let i = m - 1; i >= 0; i--) {
    if (Math.abs(R[i][i]) <= 1e-13 * scale) throw new Error('the points do not determine the polynomial (repeated x values?)');
    let s = q[i];
    for (let j = i + 1; j < m; j++) s -= R[i][j] * c[j];
    c[i] = s / R[i][i];
  }
  return c;
}

export function polyfit(xs: readonly number[], ys: readonly number[], degree: number): Polynomial {
  if (xs.length !== ys.length) throw new Error('xs and ys must have the same length');
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const center = (lo + hi) / 2;
  const halfWidth = (hi - lo) / 2 || 1;
  const m = degree + 1;
  const A = xs.map((x) => {
    const t = (x - center) / halfWidth;
    const row = new Array<number>(m);
    let pw = 1;
    for (let k = 0; k < m; k++, pw *= t) row[k] = pw;
    return row;
  });
  // unit-norm columns: the solve sees a well-scaled matrix; undo the scaling on the coefficients
  const norms = Array.from({ length: m }, (_, k) => Math.sqrt(A.reduce((s, r) => s + r[k] * r[k], 0)) || 1);
  const As = A.map((r) => r.map((v, k) => v / norms[k]));
  const cs = leastSquaresQR(As, ys.slice());
  return { degree, scaled: cs.map((c, k) => c / norms[k]), center, halfWidth };
}

/** Coefficients in x itself (lowest power first), by binomial expansion of ((x − center)/halfWidth)^k. */
export function monomialCoefficients(p: Polynomial): number[] {
  const m = p.scaled.length;
  const out = new Array<number>(m).fill(0);
  for (let k = 0; k < m; k++) {
    const ck = p.scaled[k] / Math.pow(p.halfWidth, k);
    let binom = 1;
    for (let j = 0; j <= k; j++) {
      out[j] += ck * binom * Math.pow(-p.center, k - j);
      binom = (binom * (k - j)) / (j + 1);
    }
  }
  return out;
}

export function meanSquaredError(p: Polynomial, xs: readonly number[], ys: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (evaluate(p, xs[i]) - ys[i]) ** 2;
  return s / xs.length;
}

export interface PolyData {
  train: { x: number[]; y: number[] };
  val: { x: number[]; y: number[] };
  truth: (x: number) => number;
}

/** The demo's ground truth is a parabola, so degree 2 is the right capacity. */
export const TRUE_COEFFS = [0.5, 1, -2] as const;
export const truth = (x: number): number => TRUE_COEFFS[0] + TRUE_COEFFS[1] * x + TRUE_COEFFS[2] * x * x;

/**
 * Noisy samples of the parabola on [−1, 1]: training x evenly spaced (the textbook picture in which a
 * degree-9 fit through 10 points swings between them), validation x uniform at random.
 */
export function makePolyData(seed: number, nTrain: number, nVal: number, noise: number): PolyData {
  const rng = mulberry32(seed);
  const tx = Array.from({ length: nTrain }, (_, i) => (nTrain === 1 ? 0 : -1 + (2 * i) / (nTrain - 1)));
  const ty = tx.map((x) => truth(x) + noise * gaussian(rng));
  const vx = Array.from({ length: nVal }, () => -1 + 2 * rng()).sort((a, b) => a - b);
  const vy = vx.map((x) => truth(x) + noise * gaussian(rng));
  return { train: { x: tx, y: ty }, val: { x: vx, y: vy }, truth };
}

export interface DegreeReport {
  degree: number;
  fit: Polynomial;
  trainMse: number;
  valMse: number;
}

export function fitDegrees(data: PolyData, degrees: readonly number[]): DegreeReport[] {
  return degrees.map((degree) => {
    const fit = polyfit(data.train.x, data.train.y, degree);
    return { degree, fit, trainMse: meanSquaredError(fit, data.train.x, data.train.y), valMse: meanSquaredError(fit, data.val.x, data.val.y) };
  });
}
