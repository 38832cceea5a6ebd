/**
 * The update rules of the source document (docs/CONCEPTS.md#optimizers), written once over an abstract arithmetic so
 * the same code drives the training engine (tfjs tensors, float32) and the optimizer playground
 * (plain numbers, float64).
 */
import type { OptimizerName } from '../config';

export interface Arith<T> {
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  sqrt(a: T): T;
  square(a: T): T;
  scale(a: T, s: number): T;
  addScalar(a: T, s: number): T;
  zerosLike(a: T): T;
}

export interface OptimizerHyper {
  /** η (the learning rate of this step, after any schedule) */
  lr: number;
  /** γ for Momentum / Nesterov */
  momentum: number;
  /** γ for RMSProp */
  rho: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Per-parameter state. v: velocity; c: squared-gradient accumulator; m: first moment; t: step count. */
export interface OptimizerSlots<T> {
  t: number;
  v?: T;
  c?: T;
  m?: T;
}

export interface StepResult<T> {
  theta: T;
  slots: OptimizerSlots<T>;
  /** The step actually taken, θ_new − θ. */
  update: T;
}

export const FORMULAS: Record<OptimizerName, string> = {
  sgd: 'θ ← θ − η·g',
  momentum: 'v ← γ·v − η·g ;  θ ← θ + v',
  nesterov: 'v ← γ·v − η·g ;  θ ← θ + γ·v − η·g',
  adagrad: 'c ← c + g² ;  θ ← θ − η·g / √(c + ε)',
  rmsprop: 'c ← γ·c + (1−γ)·g² ;  θ ← θ − η·g / √(c + ε)',
  adam: 'm ← β1·m + (1−β1)·g ;  c ← β2·c + (1−β2)·g² ;  m̂ = m/(1−β1ᵗ) ;  ĉ = c/(1−β2ᵗ) ;  θ ← θ − η·m̂ / √(ĉ + ε)',
};

/** Which slots each optimizer keeps (so callers can create and dispose them). */
export const SLOTS: Record<OptimizerName, readonly ('v' | 'c' | 'm')[]> = {
  sgd: [],
  momentum: ['v'],
  nesterov: ['v'],
  adagrad: ['c'],
  rmsprop: ['c'],
  adam: ['m', 'c'],
};

/**
 * One step of `name` for one parameter. Pure: returns new values and never mutates its inputs
 * (tensor callers own disposal of the old slots).
 */
export function optimizerStep<T>(name: OptimizerName, ops: Arith<T>, theta: T, g: T, slots: OptimizerSlots<T>, h: OptimizerHyper): StepResult<T> {
  const t = slots.t + 1;
  switch (name) {
    case 'sgd': {
      const update = ops.scale(g, -h.lr);
      return { theta: ops.add(theta, update), slots: { t }, update };
    }
    case 'momentum':
    case 'nesterov': {
      const v0 = slots.v ?? ops.zerosLike(theta);
      const v = ops.sub(ops.scale(v0, h.momentum), ops.scale(g, h.lr));
      const update = name === 'momentum' ? v : ops.sub(ops.scale(v, h.momentum), ops.scale(g, h.lr));
      return { theta: ops.add(theta, update), slots: { t, v }, update };
    }
    case 'adagrad': {
      const c0 = slots.c ?? ops.zerosLike(theta);
      const c = ops.add(c0, ops.square(g));
      const update = ops.scale(ops.div(g, ops.sqrt(ops.addScalar(c, h.epsilon))), -h.lr);
      return { theta: ops.add(theta, update), slots: { t, c }, update };
    }
    case 'rmsprop': {
      const c0 = slots.c ?? ops.zerosLike(theta);
      const c = ops.add(ops.scale(c0, h.rho), ops.scale(ops.square(g), 1 - h.rho));
      const update = ops.scale(ops.div(g, ops.sqrt(ops.addScalar(c, h.epsilon))), -h.lr);
      return { theta: ops.add(theta, update), slots: { t, c }, update };
    }
    case 'adam': {
      const m0 = slots.m ?? ops.zerosLike(theta);
      const c0 = slots.c ?? ops.zerosLike(theta);
      const m = ops.add(ops.scale(m0, h.beta1), ops.scale(g, 1 - h.beta1));
      const c = ops.add(ops.scale(c0, h.beta2), ops.scale(ops.square(g), 1 - h.beta2));
      const mHat = ops.scale(m, 1 / (1 - Math.pow(h.beta1, t)));
      const cHat = ops.scale(c, 1 / (1 - Math.pow(h.beta2, t)));
      const update = ops.scale(ops.div(mHat, ops.sqrt(ops.addScalar(cHat, h.epsilon))), -h.lr);
      return { theta: ops.add(theta, update), slots: { t, m, c }, update };
    }
  }
}

/** Float64 arithmetic on plain numbers, for the playground and for hand-checking the engine. */
export const numberArith: Arith<number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  sqrt: (a) => Math.sqrt(a),
  square: (a) => a * a,
  scale: (a, s) => a * s,
  addScalar: (a, s) => a + s,
  zerosLike: () => 0,
};

/** Effective per-coordinate learning rate η/√(c+ε) of the adaptive methods (η for the others). */
export function effectiveLr(name: OptimizerName, c: number | undefined, h: OptimizerHyper, t = 1): number {
  if (name === 'adagrad' || name === 'rmsprop') return h.lr / Math.sqrt((c ?? 0) + h.epsilon);
  if (name === 'adam') return h.lr / Math.sqrt((c ?? 0) / (1 - Math.pow(h.beta2, Math.max(t, 1))) + h.epsilon);
  return h.lr;
}
