/**
 * The document's optimizers (docs/CONCEPTS.md#optimizers) as a custom apply step over tfjs variables. The update rules are
 * not written here: they come from the shared `optimizerStep`, evaluated with tensor arithmetic. This is where
 * the lab differs from tf.train.*: Adagrad's accumulator starts at 0, Adam's ε is inside the root, momentum
 * uses the current η (v ← γ·v − η·g), so schedules behave as the document says.
 * Weight decay: 'l2' adds λ·θ to the gradient (the loss gains λ/2·‖θ‖²); 'decoupled' shrinks θ by η·λ·θ after
 * the step (AdamW-style), leaving the adaptive statistics untouched.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '../../shared/config';
import { optimizerStep, SLOTS, type OptimizerHyper, type OptimizerSlots } from '../../shared/optim/rules';
import { fusedOptimizerStep, hasFusedOptimizer, optimizerHyper } from '../engine/optimizer-op';
import { tensorArith } from './tensor-arith';

export interface WeightDecay {
  kind: 'none' | 'l2' | 'decoupled';
  value: number;
}

export interface OptimizerState {
  name: OptimizerConfig['name'];
  /** Per variable: step count and slot values (flat float32), in the order of the variables. */
  slots: { t: number; v?: Float32Array; c?: Float32Array; m?: Float32Array }[];
}

export class RuleOptimizer {
  private slots: OptimizerSlots<tf.Tensor>[];

  constructor(
    readonly config: OptimizerConfig,
    private readonly vars: tf.Variable[],
    private readonly decay: WeightDecay = { kind: 'none', value: 0 },
    /** Which variables weight decay applies to (kernels, not biases or batch-norm γ/β); default all. */
    private readonly decayMask: boolean[] = vars.map(() => true),
  ) {
    this.slots = vars.map(() => ({ t: 0 }));
  }

  private hyper(lr: number): OptimizerHyper {
    const c = this.config;
    return { lr, momentum: c.momentum, rho: c.rho, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon };
  }

  /** L2 weight decay belongs to the gradient (before clipping): g + λ·θ. Returns new tensors. */
  withL2(grads: tf.Tensor[]): tf.Tensor[] {
    if (this.decay.kind !== 'l2' || this.decay.value === 0) return grads.map((g) => tf.clone(g));
    return grads.map((g, i) => (this.decayMask[i] ? tf.tidy(() => tf.add(g, tf.mul(this.vars[i]!, this.decay.value))) : tf.clone(g)));
  }

  /**
   * One step θ ← rule(θ, g) for every variable, at learning rate `lr`. Does not dispose `grads`. On a backend
   * with the fused update (the oneDNN addon) each variable takes one kernel; otherwise the rule's tensor ops.
   */
  apply(grads: tf.Tensor[], lr: number): void {
    if (hasFusedOptimizer()) this.applyFused(grads, lr);
    else this.applyTensorOps(grads, lr);
  }

  private decoupledFactor(i: number, lr: number): number {
    return this.decay.kind === 'decoupled' && this.decay.value > 0 && this.decayMask[i] ? lr * this.decay.value : 0;
  }

  private applyFused(grads: tf.Tensor[], lr: number): void {
    const h = this.hyper(lr);
    const keys = SLOTS[this.config.name];
    grads.forEach((g, i) => {
      const variable = this.vars[i]!;
      const old = this.slots[i]!;
      const t = old.t + 1;
      const [theta, ...slots] = fusedOptimizerStep(this.config.name, variable, g, keys.map((k) => old[k]), optimizerHyper(h, t, this.decoupledFactor(i, lr)));
      variable.assign(theta!);
      theta!.dispose();
      const next: OptimizerSlots<tf.Tensor> = { t };
      keys.forEach((k, j) => {
        old[k]?.dispose();
        next[k] = slots[j];
      });
      this.slots[i] = next;
    });
  }

  private applyTensorOps(grads: tf.Tensor[], lr: number): void {
    const h = this.hyper(lr);
    const keys = SLOTS[this.config.name];
    grads.forEach((g, i) => {
      const variable = this.vars[i]!;
      const old = this.slots[i]!;
      let next: OptimizerSlots<tf.Tensor> = { t: old.t };
      tf.tidy(() => {
        const r = optimizerStep(this.config.name, tensorArith, variable as tf.Tensor, g, old, h);
        let theta = r.theta;
        if (this.decay.kind === 'decoupled' && this.decay.value > 0 && this.decayMask[i]) {
          theta = tf.sub(theta, tf.mul(variable, lr * this.decay.value));
        }
        variable.assign(theta);
        for (const k of keys) tf.keep(r.slots[k]!);
        next = r.slots;
      });
      for (const k of keys) old[k]?.dispose();
      this.slots[i] = next;
    });
  }

  getState(): OptimizerState {
    const keys = SLOTS[this.config.name];
    return {
      name: this.config.name,
      slots: this.slots.map((s) => {
        const out: OptimizerState['slots'][number] = { t: s.t };
        for (const k of keys) if (s[k]) out[k] = s[k]!.dataSync() as Float32Array;
        return out;
      }),
    };
  }

  setState(state: OptimizerState): void {
    if (state.name !== this.config.name || state.slots.length !== this.vars.length) {
      throw new Error(`Optimizer checkpoint does not match (${state.name} with ${state.slots.length} variables vs ${this.config.name} with ${this.vars.length}).`);
    }
    this.dispose();
    const keys = SLOTS[this.config.name];
    this.slots = state.slots.map((s, i) => {
      const out: OptimizerSlots<tf.Tensor> = { t: s.t };
      for (const k of keys) {
        const values = s[k];
        if (values) out[k] = tf.tensor(values, this.vars[i]!.shape, 'float32');
      }
      return out;
    });
  }

  dispose(): void {
    for (const s of this.slots) for (const k of ['v', 'c', 'm'] as const) s[k]?.dispose();
    this.slots = this.vars.map(() => ({ t: 0 }));
  }
}

/** Scales all gradients by min(1, maxNorm/‖g‖) where ‖g‖ is the global L2 norm. Returns new tensors and the norm. */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number | null): { grads: tf.Tensor[]; norm: number } {
  const norm = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
  if (maxNorm === null || !(norm > maxNorm)) return { grads: grads.map((g) => tf.clone(g)), norm };
  const factor = maxNorm / norm;
  return { grads: grads.map((g) => tf.mul(g, factor)), norm };
}
