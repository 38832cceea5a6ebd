/**
 * The current update of one optimizer written out with its numbers plugged in, per coordinate, so a
 * reader can check the arithmetic of FORMULAS by hand. Values come from the recorded trajectory
 * (computed by the shared rules), not recomputed here, apart from Adam's bias-corrected m̂ and ĉ.
 */
import type { OptimizerName } from '../../../shared/config';
import type { OptimizerHyper } from '../../../shared/optim/rules';
import type { TrajectoryPoint } from './trajectory';

/** 4 significant digits; negative numbers parenthesised (unless `paren` is false) so they read correctly after an operator. */
export function fmt(v: number, paren = true): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const s = a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  const signed = v < 0 ? `−${s.slice(1)}` : s;
  return v < 0 && paren ? `(${signed})` : signed;
}

export function explainStep(name: OptimizerName, h: OptimizerHyper, prev: TrajectoryPoint, next: TrajectoryPoint, coord: 0 | 1): string[] {
  const th0 = coord === 0 ? prev.x : prev.y;
  const th1 = coord === 0 ? next.x : next.y;
  const g = next.g[coord];
  const s0 = prev.slots[coord];
  const s1 = next.slots[coord];
  const u = next.update[coord];
  const lines = [`g = ${fmt(g)}`];
  switch (name) {
    case 'sgd':
      lines.push(`θ ← ${fmt(th0)} − ${fmt(h.lr)}·${fmt(g)} = ${fmt(th1)}`);
      break;
    case 'momentum':
      lines.push(`v ← ${fmt(h.momentum)}·${fmt(s0.v ?? 0)} − ${fmt(h.lr)}·${fmt(g)} = ${fmt(s1.v ?? 0)}`);
      lines.push(`θ ← ${fmt(th0)} + ${fmt(s1.v ?? 0)} = ${fmt(th1)}`);
      break;
    case 'nesterov':
      lines.push(`v ← ${fmt(h.momentum)}·${fmt(s0.v ?? 0)} − ${fmt(h.lr)}·${fmt(g)} = ${fmt(s1.v ?? 0)}`);
      lines.push(`θ ← ${fmt(th0)} + ${fmt(h.momentum)}·${fmt(s1.v ?? 0)} − ${fmt(h.lr)}·${fmt(g)} = ${fmt(th1)}`);
      break;
    case 'adagrad':
      lines.push(`c ← ${fmt(s0.c ?? 0)} + ${fmt(g)}² = ${fmt(s1.c ?? 0)}`);
      lines.push(`θ ← ${fmt(th0)} − ${fmt(h.lr)}·${fmt(g)} / √(${fmt(s1.c ?? 0)} + ${fmt(h.epsilon)}) = ${fmt(th1)}`);
      break;
    case 'rmsprop':
      lines.push(`c ← ${fmt(h.rho)}·${fmt(s0.c ?? 0)} + ${fmt(1 - h.rho)}·${fmt(g)}² = ${fmt(s1.c ?? 0)}`);
      lines.push(`θ ← ${fmt(th0)} − ${fmt(h.lr)}·${fmt(g)} / √(${fmt(s1.c ?? 0)} + ${fmt(h.epsilon)}) = ${fmt(th1)}`);
      break;
    case 'adam': {
      const t = s1.t;
      const m = s1.m ?? 0;
      const c = s1.c ?? 0;
      const mHat = m / (1 - Math.pow(h.beta1, t));
      const cHat = c / (1 - Math.pow(h.beta2, t));
      lines.push(`m ← ${fmt(h.beta1)}·${fmt(s0.m ?? 0)} + ${fmt(1 - h.beta1)}·${fmt(g)} = ${fmt(m)}`);
      lines.push(`c ← ${fmt(h.beta2)}·${fmt(s0.c ?? 0)} + ${fmt(1 - h.beta2)}·${fmt(g)}² = ${fmt(c)}`);
      lines.push(`m̂ = ${fmt(m)}/(1 − ${fmt(h.beta1)}^${t}) = ${fmt(mHat)} ;  ĉ = ${fmt(c)}/(1 − ${fmt(h.beta2)}^${t}) = ${fmt(cHat)}`);
      lines.push(`θ ← ${fmt(th0)} − ${fmt(h.lr)}·${fmt(mHat)} / √(${fmt(cHat)} + ${fmt(h.epsilon)}) = ${fmt(th1)}`);
      break;
    }
  }
  lines.push(`Δθ = ${fmt(u)}`);
  return lines;
}
