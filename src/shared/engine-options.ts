/**
 * How a run is trained: by the lab's own engine (tfjs, in the training process) or as a PyTorch job
 * (DistributedDataParallel, `processes` ranks started locally or through a command template the user sets).
 * Kept apart from TrainConfig: the experiment is the same whichever engine runs it.
 */
import { z } from 'zod';
import { strictObject } from './strict-object';
import { msg, type LabMessage } from './messages';

export const ENGINES = ['lab', 'torch'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Placeholders a command template may use (docs/SCALE-OUT.md). */
export const TEMPLATE_PLACEHOLDERS = ['rank', 'worldSize', 'masterAddr', 'masterPort', 'jobDir', 'python', 'device', 'resume'] as const;

export const EngineOptionsSchema = strictObject({
  engine: z.enum(ENGINES).default('lab'),
  /** Ranks (one process each): gloo on CPU, NCCL on GPUs. */
  processes: z.number().int().min(1).max(256).default(1),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  /** local: the lab starts every rank here; template: the lab runs the user's command (ssh, srun…) per rank. */
  launcher: z.enum(['local', 'template']).default('local'),
  commandTemplate: z.string().min(1).max(4000).optional(),
}).refine((o) => o.launcher !== 'template' || (o.commandTemplate !== undefined && o.commandTemplate.includes('{jobDir}')), {
  message: 'the template launcher needs a command template that names {jobDir}',
  path: ['commandTemplate'],
});

export type EngineOptions = z.output<typeof EngineOptionsSchema>;
export type EngineOptionsInput = z.input<typeof EngineOptionsSchema>;

export const LAB_ENGINE: EngineOptions = { engine: 'lab', processes: 1, device: 'auto', launcher: 'local' };

/**
 * A PyTorch run's backend words as run.json keeps them (English, from the messages torch.label / torch.labelPending)
 * back into the message, so the Runs page shows them in the reader's language; null for any other backend.
 */
export function torchBackendMessage(label: string): LabMessage | null {
  const full = /^PyTorch (\S+) on (\S+), (\d+) process(?:es)?$/.exec(label);
  if (full) return msg('torch.label', { torch: full[1]!, device: full[2]!, n: Number(full[3]) });
  const pending = /^PyTorch, (\d+) process(?:es)?$/.exec(label);
  return pending ? msg('torch.labelPending', { n: Number(pending[1]) }) : null;
}
