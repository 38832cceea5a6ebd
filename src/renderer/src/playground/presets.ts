/**
 * Scenes that reproduce the teaching points of docs/CONCEPTS.md#optimizers. Each preset's claim is checked by
 * presets.test.ts, so a preset that stops showing what it says fails the tests.
 */
import type { OptimizerName } from '../../../shared/config';
import type { OptimizerHyper } from '../../../shared/optim/rules';
import type { SurfaceId, Vec2 } from './surfaces';

export const PLAYGROUND_OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

/** Hyperparameters shared by all optimizers of a scene; γ drives both Momentum and RMSProp as in the document. */
export interface SharedHyper {
  gamma: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export type PresetId = 'sgd-zigzag' | 'momentum-bump' | 'adagrad-stalls' | 'rmsprop-keeps-going' | 'adam-quick';

export interface Preset {
  id: PresetId;
  surface: SurfaceId;
  start: Vec2;
  steps: number;
  shared: SharedHyper;
  /** η per optimizer (a scene may give the methods different η, as one would tune them). */
  lr: Record<OptimizerName, number>;
  /** Optimizers switched on when the preset loads (the others can be switched on by the user). */
  enabled: readonly OptimizerName[];
}

const DEFAULT_SHARED: SharedHyper = { gamma: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

const sameLr = (lr: number): Record<OptimizerName, number> => ({ sgd: lr, momentum: lr, nesterov: lr, adagrad: lr, rmsprop: lr, adam: lr });

export const PRESETS: readonly Preset[] = [
  {
    // curvature 20 across the valley: η = 0.095 gives a factor 1 − 20·0.095 = −0.9 per step on y
    id: 'sgd-zigzag',
    surface: 'valley',
    start: [-9, 2.5],
    steps: 80,
    shared: DEFAULT_SHARED,
    lr: { sgd: 0.095, momentum: 0.02, nesterov: 0.02, adagrad: 0.5, rmsprop: 0.1, adam: 0.5 },
    enabled: ['sgd', 'momentum'],
  },
  {
    id: 'momentum-bump',
    surface: 'bumpy',
    start: [4.5, 0.5],
    steps: 200,
    shared: DEFAULT_SHARED,
    lr: { sgd: 0.1, momentum: 0.1, nesterov: 0.1, adagrad: 0.5, rmsprop: 0.05, adam: 0.1 },
    enabled: ['sgd', 'momentum'],
  },
  {
    // the steep entry slope fills Adagrad's accumulator; on the shelf η/√c is too small to reach the cliff
    id: 'adagrad-stalls',
    surface: 'plateau',
    start: [-5.5, 1],
    steps: 200,
    shared: DEFAULT_SHARED,
    lr: sameLr(0.1),
    enabled: ['sgd', 'adagrad', 'rmsprop'],
  },
  {
    id: 'rmsprop-keeps-going',
    surface: 'rosenbrock',
    start: [-1.2, 1],
    steps: 300,
    shared: DEFAULT_SHARED,
    lr: { sgd: 0.001, momentum: 0.001, nesterov: 0.001, adagrad: 0.05, rmsprop: 0.05, adam: 0.05 },
    enabled: ['adagrad', 'rmsprop'],
  },
  {
    // condition number 200: SGD's η is capped by the steep direction, Adam scales each coordinate
    id: 'adam-quick',
    surface: 'valley',
    start: [-8, 2],
    steps: 100,
    shared: DEFAULT_SHARED,
    lr: { sgd: 0.09, momentum: 0.02, nesterov: 0.02, adagrad: 0.3, rmsprop: 0.3, adam: 0.3 },
    enabled: ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'],
  },
];

export function presetById(id: PresetId): Preset {
  const p = PRESETS.find((q) => q.id === id);
  if (!p) throw new Error(`unknown preset '${id}'`);
  return p;
}

export function hyperFor(name: OptimizerName, lr: Record<OptimizerName, number>, s: SharedHyper): OptimizerHyper {
  return { lr: lr[name], momentum: s.gamma, rho: s.gamma, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon };
}
