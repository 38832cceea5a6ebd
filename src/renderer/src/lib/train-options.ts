/**
 * The Train page's switches that live only in the form's base config: how a frozen backbone's embeddings are used
 * (model.embeddings) and class balance. Each returns a new config; 'auto' removes model.embeddings (the engine then
 * caches unless augmentation is on).
 */
import type { TrainConfig } from '../../../shared/config';

export type EmbeddingsChoice = 'auto' | 'cache' | 'recompute';

export function embeddingsChoice(config: TrainConfig): EmbeddingsChoice | null {
  const m = config.model;
  if (m.kind !== 'transfer' || m.trainableLayers !== 0) return null;
  return m.embeddings ?? 'auto';
}

export function withEmbeddings(config: TrainConfig, choice: EmbeddingsChoice): TrainConfig {
  if (config.model.kind !== 'transfer') return config;
  const model = { ...config.model };
  if (choice === 'auto') delete model.embeddings;
  else model.embeddings = choice;
  return { ...config, model };
}

export function withBalance(config: TrainConfig, balance: TrainConfig['balance']): TrainConfig {
  return { ...config, balance };
}
