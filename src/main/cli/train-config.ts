import { readFile } from 'node:fs/promises';
import { TrainConfigSchema, type TrainConfig, type TrainConfigInput } from '../../shared/config';
import type { DatasetSummary } from '../../shared/dto';
import { applyModelChoice, chooseModel, factsOf, wantsAutoModel } from '../../shared/model-choice';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { parseOrThrow } from '../../shared/validation';

export interface TrainFlags {
  config?: string;
  epochs?: string;
  'batch-size'?: string;
  lr?: string;
  size?: string;
  channels?: string;
  optimizer?: string;
  name?: string;
  /** none | class-weights | oversample */
  balance?: string;
}

function num(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new LabError('BAD_CONFIG', msg('settings.notNumber', { flag, value }));
  return n;
}

/**
 * --config file, then flags on top, then the dataset: validated as a whole, naming any bad field. Given the dataset,
 * a config with no model (or model "auto") gets the model, input and epochs chosen from it (shared/model-choice.ts).
 */
export async function buildTrainConfig(datasetId: string, flags: TrainFlags, base: Omit<TrainConfigInput, 'datasetId'> | null = null, dataset: DatasetSummary | null = null): Promise<TrainConfig> {
  let input: Record<string, unknown> = base ? { ...base } : {};
  if (flags.config) {
    let text: string;
    try {
      text = await readFile(flags.config, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR') throw new LabError('BAD_ARGUMENT', msg('settings.configIsFolder', { path: flags.config }));
      throw new LabError('NOT_FOUND', msg('settings.configUnreadable', { path: flags.config, detail: code ?? 'error' }));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new LabError('BAD_CONFIG', msg('settings.configNotJson', { path: flags.config, detail: (err as Error).message }));
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      const kind = parsed === null ? msg('json.value.null') : Array.isArray(parsed) ? msg('json.value.array') : msg('json.value.type', { type: typeof parsed });
      throw new LabError('BAD_CONFIG', msg('settings.configNotObject', { path: flags.config, kind }));
    }
    input = { ...input, ...(parsed as Record<string, unknown>) };
  }
  if (dataset && wantsAutoModel(input)) input = applyModelChoice(input, chooseModel(factsOf(dataset)));
  if (flags.balance !== undefined) input.balance = flags.balance;
  if (flags.epochs !== undefined) input.epochs = num('epochs', flags.epochs);
  if (flags['batch-size'] !== undefined) input.batchSize = num('batch-size', flags['batch-size']);
  if (flags.name !== undefined) input.name = flags.name;
  const opt = { ...((input.optimizer as Record<string, unknown> | undefined) ?? {}) };
  if (flags.lr !== undefined) opt.lr = num('lr', flags.lr);
  if (flags.optimizer !== undefined) opt.name = flags.optimizer;
  if (Object.keys(opt).length) input.optimizer = opt;
  const inp = { ...((input.input as Record<string, unknown> | undefined) ?? {}) };
  if (flags.size !== undefined) inp.size = num('size', flags.size);
  if (flags.channels !== undefined) inp.channels = num('channels', flags.channels);
  if (Object.keys(inp).length) input.input = inp;
  input.datasetId = datasetId;
  return parseOrThrow(TrainConfigSchema, input, 'training config', 'BAD_CONFIG');
}
