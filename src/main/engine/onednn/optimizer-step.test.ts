// The fused optimizer update (one native call per variable) against the rules evaluated with tensor ops on tfjs's
// reference CPU kernels: every optimizer, with and without decoupled weight decay, variables from 1 value to one
// large enough to be split across threads, several steps with a changing learning rate (Adam's bias correction
// and the slots carried from step to step), equal to 1e-6.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptimizerConfigSchema, type OptimizerName } from '../../../shared/config';
import { RuleOptimizer, type OptimizerState, type WeightDecay } from '../../training/rule-optimizer';
import { hasFusedOptimizer } from '../optimizer-op';
import { maxRelError, randomArray, seeded } from '../test-util';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnn } from './addon';
import { nativeFailures } from './run-native';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';

const native = loadOneDnn();
const fused = native.ok && typeof native.addon.optimizerStep === 'function';
if (!fused) console.warn(`SKIPPED fused optimizer tests: ${native.ok ? 'the addon was built before optimizerStep' : native.reason}`);

const NAMES: OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];
const SIZES = [[1], [7], [3, 3, 4, 5], [40_000]];
const LRS = [0.01, 0.003, 0.02, 0.001];

interface Outcome { theta: Float32Array[]; start: Float32Array[]; state: OptimizerState; fusedUsed: boolean }

/** Four steps of `name` on fresh variables with the same values, on `backend`; returns θ and the slots. */
async function train(backend: string, name: OptimizerName, decay: WeightDecay, seed: number): Promise<Outcome> {
  await tf.setBackend(backend);
  const r = seeded(seed);
  const before = tf.memory().numTensors;
  const vars = tf.tidy(() => SIZES.map((shape) => tf.variable(tf.tensor(randomArray(r, shape.reduce((a, b) => a * b, 1)), shape))));
  const start = vars.map((v) => new Float32Array(v.dataSync()));
  const config = OptimizerConfigSchema.parse({ name, lr: LRS[0], epsilon: 1e-7 });
  const opt = new RuleOptimizer(config, vars, decay, [true, false, true, true]);
  for (const lr of LRS) {
    const grads = SIZES.map((shape) => tf.tensor(randomArray(r, shape.reduce((a, b) => a * b, 1)), shape));
    opt.apply(grads, lr);
    tf.dispose(grads);
  }
  const out = { theta: vars.map((v) => new Float32Array(v.dataSync())), start, state: opt.getState(), fusedUsed: hasFusedOptimizer() };
  opt.dispose();
  tf.dispose(vars);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe.skipIf(!fused)('fused optimizer update (native) equals the tensor-op rules', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    if (native.ok) registerOneDnnKernels(native.addon);
  });
  afterAll(() => unregisterOneDnnKernels());

  const decays: WeightDecay[] = [{ kind: 'none', value: 0 }, { kind: 'decoupled', value: 0.05 }];
  for (const name of NAMES) {
    for (const decay of decays) {
      it(`${name}, ${decay.kind} decay: θ and slots after 4 steps to 1e-6`, async () => {
        const failed = nativeFailures().length;
        const ref = await train('cpu', name, decay, 7);
        const ours = await train('wasm', name, decay, 7);
        expect(ref.fusedUsed).toBe(false);
        expect(ours.fusedUsed).toBe(true);
        expect(nativeFailures().length).toBe(failed);
        ours.theta.forEach((t, i) => expect(maxRelError(t, ref.theta[i]!)).toBeLessThan(1e-6));
        // Every variable moved (an update that did nothing would match a reference that did nothing too).
        ours.theta.forEach((t, i) => expect(maxRelError(t, ours.start[i]!)).toBeGreaterThan(1e-5));
        ours.state.slots.forEach((s, i) => {
          const r = ref.state.slots[i]!;
          expect(s.t).toBe(4);
          expect(s.t).toBe(r.t);
          for (const k of ['v', 'c', 'm'] as const) {
            expect(s[k] === undefined).toBe(r[k] === undefined);
            if (s[k]) expect(maxRelError(s[k]!, r[k]!)).toBeLessThan(1e-6);
          }
        });
      });
    }
  }

  it('without the kernel (wasm only) the optimizer keeps its tensor path', async () => {
    unregisterOneDnnKernels();
    try {
      const plain = await train('wasm', 'adam', { kind: 'none', value: 0 }, 3);
      expect(plain.fusedUsed).toBe(false);
      const ref = await train('cpu', 'adam', { kind: 'none', value: 0 }, 3);
      plain.theta.forEach((t, i) => expect(maxRelError(t, ref.theta[i]!)).toBeLessThan(1e-6));
    } finally {
      if (native.ok) registerOneDnnKernels(native.addon);
    }
  });
});
