// A fused optimizer update for backends that provide it (the oneDNN addon): one kernel evaluates the document's
// rule for one variable (θ and its slots, plus decoupled decay) in a single pass, instead of ~15 small tensor ops
// and their scalars. Same formula and operation order as src/shared/optim/rules.ts evaluated on tensors, with
// the same float32-rounded scalars. Other backends keep the tensor path (training/rule-optimizer.ts).
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../shared/config';
import type { OptimizerHyper } from '../../shared/optim/rules';

export const OPTIMIZER_STEP_KERNEL = 'LabOptimizerStep';

/** The native rule numbers (native/onednn/src/optimizer.h). */
export const OPTIMIZER_RULE: Record<OptimizerName, number> = { sgd: 0, momentum: 1, nesterov: 2, adagrad: 3, rmsprop: 4, adam: 5 };

/** Slots per rule number, in the native order: momentum/nesterov v; adagrad/rmsprop c; adam m then c. */
export const OPTIMIZER_SLOT_COUNT = [0, 1, 1, 1, 1, 2] as const;

/** Whether the active backend has the fused update. */
export function hasFusedOptimizer(): boolean {
  return tf.getKernel(OPTIMIZER_STEP_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * The scalars of step `t` (1-based) as the kernel takes them: computed in float64 like the tensor path's
 * arguments, rounded to float32 where the kernel reads them (as tf.scalar does).
 */
export function optimizerHyper(h: OptimizerHyper, t: number, decoupledFactor: number): number[] {
  return [
    h.lr, -h.lr, h.momentum, h.rho, 1 - h.rho, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2,
    1 / (1 - Math.pow(h.beta1, t)), 1 / (1 - Math.pow(h.beta2, t)), h.epsilon, decoupledFactor,
  ];
}

/**
 * One fused step: returns [θ', ...slots'] as new tensors (the caller assigns θ' and owns the slots). `slots` are
 * the rule's current slots in native order; missing ones (the first step) count as zeros.
 */
export function fusedOptimizerStep(
  name: OptimizerName,
  theta: tf.Tensor,
  g: tf.Tensor,
  slots: (tf.Tensor | undefined)[],
  hyper: number[],
): tf.Tensor[] {
  const inputs: tf.NamedTensorMap = { theta, g };
  slots.forEach((s, k) => {
    if (s) inputs[`s${k + 1}`] = s;
  });
  return tf.engine().runKernel(OPTIMIZER_STEP_KERNEL, inputs, { rule: OPTIMIZER_RULE[name], hyper }) as tf.Tensor[];
}
