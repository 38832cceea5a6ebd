import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { OptimizerConfigSchema, type OptimizerName } from '../../shared/config';
import { numberArith, optimizerStep, type OptimizerSlots } from '../../shared/optim/rules';
import { learningRateAt } from './lr-schedule';
import { clipByGlobalNorm, RuleOptimizer } from './rule-optimizer';

await tf.setBackend('cpu');

const names: OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

function oneStep(name: OptimizerName, theta: number, g: number, lr: number, extra: Record<string, number> = {}): number {
  const v = tf.variable(tf.tensor1d([theta]));
  const opt = new RuleOptimizer(OptimizerConfigSchema.parse({ name, lr, ...extra }), [v]);
  const grad = tf.tensor1d([g]);
  opt.apply([grad], lr);
  const out = v.dataSync()[0]!;
  grad.dispose();
  opt.dispose();
  v.dispose();
  return out;
}

describe('optimizers on tensors follow the document (docs/CONCEPTS.md#optimizers)', () => {
  it('first steps match hand-computed values (θ=1, g=0.5, η=0.1)', () => {
    expect(oneStep('sgd', 1, 0.5, 0.1)).toBeCloseTo(0.95, 6);
    expect(oneStep('momentum', 1, 0.5, 0.1)).toBeCloseTo(0.95, 6); // v = −η·g
    expect(oneStep('nesterov', 1, 0.5, 0.1)).toBeCloseTo(1 + 0.9 * -0.05 - 0.05, 6);
    // Adagrad's accumulator starts at 0 (tfjs starts it at 0.1, which would give 0.91548)
    expect(oneStep('adagrad', 1, 0.5, 0.1)).toBeCloseTo(0.9, 5);
    expect(oneStep('rmsprop', 1, 0.5, 0.1)).toBeCloseTo(1 - 0.05 / Math.sqrt(0.025), 5);
    // Adam puts ε inside the root: 1 − 0.05/√(0.25+0.1) = 0.915485 (ε outside would give 0.916667)
    expect(oneStep('adam', 1, 0.5, 0.1, { epsilon: 0.1 })).toBeCloseTo(1 - 0.05 / Math.sqrt(0.35), 5);
  });

  it('momentum uses the η of each step: two steps with η 0.1 then 0.01', () => {
    const v = tf.variable(tf.tensor1d([1]));
    const opt = new RuleOptimizer(OptimizerConfigSchema.parse({ name: 'momentum', lr: 0.1 }), [v]);
    const g = tf.tensor1d([0.5]);
    opt.apply([g], 0.1);
    opt.apply([g], 0.01);
    // v1 = −0.05 ; v2 = 0.9·(−0.05) − 0.01·0.5 = −0.05 ; θ = 1 − 0.05 − 0.05
    expect(v.dataSync()[0]).toBeCloseTo(0.9, 6);
    opt.dispose();
  });

  it.each(names)('%s: three steps on a vector equal the shared rules in float64', (name) => {
    const theta0 = [0.3, -1.2, 2.5, 0];
    const grads = [
      [0.1, -0.4, 1.5, 0.02],
      [0.3, -0.1, 0.9, -0.5],
      [-0.2, 0.6, 0.05, 0.3],
    ];
    const lrs = [0.05, 0.02, 0.01];
    const cfg = OptimizerConfigSchema.parse({ name, lr: 0.05, epsilon: 1e-6 });
    const v = tf.variable(tf.tensor1d(theta0));
    const opt = new RuleOptimizer(cfg, [v]);
    const expected = theta0.map((t0, i) => {
      let theta = t0;
      let slots: OptimizerSlots<number> = { t: 0 };
      grads.forEach((g, s) => {
        const r = optimizerStep(name, numberArith, theta, g[i]!, slots, { ...cfg, lr: lrs[s]! });
        theta = r.theta;
        slots = r.slots;
      });
      return theta;
    });
    grads.forEach((g, s) => {
      const gt = tf.tensor1d(g);
      opt.apply([gt], lrs[s]!);
      gt.dispose();
    });
    const got = Array.from(v.dataSync());
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));
    // it moved (a rule that did nothing would pass a sloppy comparison)
    expect(got).not.toEqual(theta0);
    opt.dispose();
  });

  it('optimizer state survives a checkpoint round trip (Adam step count and moments)', () => {
    const cfg = OptimizerConfigSchema.parse({ name: 'adam', lr: 0.1 });
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([1, 2]));
    const optA = new RuleOptimizer(cfg, [a]);
    const g = tf.tensor1d([0.5, -0.3]);
    optA.apply([g], 0.1);
    const optB = new RuleOptimizer(cfg, [b]);
    optB.setState(optA.getState());
    b.assign(a);
    optA.apply([g], 0.1);
    optB.apply([g], 0.1);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(optB.getState().slots[0]!.t).toBe(2);
  });
});

describe('weight decay', () => {
  it('L2 adds λ·θ to the gradient; decoupled shrinks θ by η·λ·θ after the step', () => {
    const l2 = tf.variable(tf.tensor1d([2]));
    const opt = new RuleOptimizer(OptimizerConfigSchema.parse({ name: 'sgd', lr: 0.1 }), [l2], { kind: 'l2', value: 0.5 });
    const g = tf.tensor1d([1]);
    const [withDecay] = opt.withL2([g]);
    expect(withDecay!.dataSync()[0]).toBeCloseTo(1 + 0.5 * 2, 6);
    opt.apply([withDecay!], 0.1);
    expect(l2.dataSync()[0]).toBeCloseTo(2 - 0.1 * 2, 6);

    // Adam with decoupled decay: the adaptive step is unchanged, θ additionally loses η·λ·θ
    const d = tf.variable(tf.tensor1d([2]));
    const adam = new RuleOptimizer(OptimizerConfigSchema.parse({ name: 'adam', lr: 0.1 }), [d], { kind: 'decoupled', value: 0.5 });
    const [same] = adam.withL2([g]);
    expect(same!.dataSync()[0]).toBe(1);
    adam.apply([g], 0.1);
    expect(d.dataSync()[0]).toBeCloseTo(2 - 0.1 * (1 / Math.sqrt(1 + 1e-8)) - 0.1 * 0.5 * 2, 5);
  });

  it('masked variables (biases, γ/β) get no decay', () => {
    const v = tf.variable(tf.tensor1d([2]));
    const opt = new RuleOptimizer(OptimizerConfigSchema.parse({ name: 'sgd', lr: 0.1 }), [v], { kind: 'decoupled', value: 0.5 }, [false]);
    opt.apply([tf.tensor1d([1])], 0.1);
    expect(v.dataSync()[0]).toBeCloseTo(1.9, 6);
  });
});

describe('gradient clipping by global norm', () => {
  it('scales all gradients together when the norm exceeds the limit, and leaves small ones alone', () => {
    const gs = [tf.tensor1d([3]), tf.tensor1d([4])]; // norm 5
    const { grads, norm } = clipByGlobalNorm(gs, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(grads[0]!.dataSync()[0]).toBeCloseTo(0.6, 5);
    expect(grads[1]!.dataSync()[0]).toBeCloseTo(0.8, 5);
    const untouched = clipByGlobalNorm(gs, 10);
    expect(untouched.grads[1]!.dataSync()[0]).toBe(4);
  });
});

describe('learning-rate schedules', () => {
  const base = { optimizer: OptimizerConfigSchema.parse({ lr: 0.1 }), epochs: 11 };
  const sched = (s: Record<string, unknown>) => ({ kind: 'constant', gamma: 0.1, stepEpochs: 10, minFactor: 0, warmupEpochs: 0, ...s }) as never;
  it('constant, step, exponential and cosine', () => {
    expect(learningRateAt({ ...base, schedule: sched({}) }, 7, 0, 10)).toBe(0.1);
    expect(learningRateAt({ ...base, schedule: sched({ kind: 'step', gamma: 0.5, stepEpochs: 3 }) }, 2, 0, 10)).toBeCloseTo(0.1, 9);
    expect(learningRateAt({ ...base, schedule: sched({ kind: 'step', gamma: 0.5, stepEpochs: 3 }) }, 3, 0, 10)).toBeCloseTo(0.05, 9);
    expect(learningRateAt({ ...base, schedule: sched({ kind: 'exponential', gamma: 0.9 }) }, 2, 0, 10)).toBeCloseTo(0.081, 9);
    expect(learningRateAt({ ...base, schedule: sched({ kind: 'cosine', minFactor: 0.1 }) }, 0, 0, 10)).toBeCloseTo(0.1, 9);
    expect(learningRateAt({ ...base, schedule: sched({ kind: 'cosine', minFactor: 0.1 }) }, 5, 0, 10)).toBeCloseTo(0.1 * (0.1 + 0.9 * 0.5), 9);
    expect(learningRateAt({ ...base, schedule: sched({ kind: 'cosine', minFactor: 0.1 }) }, 10, 0, 10)).toBeCloseTo(0.01, 9);
  });
  it('linear warm-up ramps per batch, then hands over to the schedule', () => {
    const cfg = { ...base, schedule: sched({ warmupEpochs: 2 }) };
    expect(learningRateAt(cfg, 0, 0, 4)).toBeCloseTo(0.1 * (0.25 / 2), 9);
    expect(learningRateAt(cfg, 1, 1, 4)).toBeCloseTo(0.1 * (1.5 / 2), 9);
    expect(learningRateAt(cfg, 2, 0, 4)).toBe(0.1);
  });
});
