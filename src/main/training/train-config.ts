import { TrainConfigSchema, type TrainConfig } from '../../shared/config';
import { parseOrThrow } from '../../shared/validation';

/** Validates a run's settings (from JSON, the CLI or the UI) into a complete TrainConfig, or throws BAD_CONFIG naming each bad field. */
export function parseTrainConfig(value: unknown): TrainConfig {
  return parseOrThrow(TrainConfigSchema, value, 'training config', 'BAD_CONFIG');
}
