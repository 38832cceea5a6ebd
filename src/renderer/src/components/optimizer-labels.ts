import type { OptimizerName } from '../../../shared/config';

/** How every view writes an optimizer's name (its usual spelling, not the config key). */
export const OPTIMIZER_LABELS: Record<OptimizerName, string> = {
  sgd: 'SGD',
  momentum: 'Momentum',
  nesterov: 'Nesterov',
  adagrad: 'Adagrad',
  rmsprop: 'RMSProp',
  adam: 'Adam',
};

export function optimizerLabel(name: string): string {
  return OPTIMIZER_LABELS[name as OptimizerName] ?? name;
}
