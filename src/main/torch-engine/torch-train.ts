/**
 * Trains a run as a PyTorch job: writes the job folder (or reuses it to resume), starts the ranks, turns rank 0's
 * LAB lines into the run's own records (metrics.jsonl, run.json progress, batch/epoch events: the dashboards,
 * diagnosis and early-stopping markers read them unchanged), and when the job ends loads its trained weights
 * (out/model.json, tfjs layers format) as the run's model. The caller then saves, evaluates and reports it exactly
 * as it does for the lab's own engine.
 */
import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import type { EngineOptions } from '../../shared/engine-options';
import { LabError } from '../../shared/errors';
import { english, msg, type LabMessage } from '../../shared/messages';
import type { ImageArray } from '../datasets/image-array';
import { loadModelFromDir } from '../models';
import { appendMetric, updateRunProgress } from '../runs/run-files';
import type { StopReason } from '../training/train-loop';
import type { TrainHooks } from '../training/trainer';
import { JOB_FILE, jobDirOf, writeJob } from './job-writer';
import { logMessage, parseLabLine } from './lab-lines';
import { launchRanks, type RankExit } from './launcher';
import { findPython, probeTorch } from './python';

export interface TorchTrainOptions {
  runDir: string;
  config: TrainConfig;
  engine: EngineOptions;
  train: ImageArray;
  val: ImageArray | null;
  resume: boolean;
  signal: AbortSignal;
  /** The Pause button: local ranks are suspended (SIGSTOP) while it is paused. */
  pause?: { readonly paused: boolean };
  hooks: TrainHooks;
  /** The job's own log lines, as messages (hooks.onLog gets their English text when this is absent). */
  onMessage?(level: 'info' | 'warn' | 'error', message: LabMessage): void;
  /** Called with the backend's words once known (at start, then with the PyTorch version and device). */
  onBackend?(label: string, label_msg: LabMessage): void;
}

export interface TorchTrainResult {
  /** The trained model; null when the job was stopped before it wrote one (it resumes from its checkpoint). */
  model: tf.LayersModel | null;
  reason: StopReason;
  epochsDone: number;
  bestEpoch: number | null;
}

/** Where the run's PyTorch job leaves its resume state. */
export function torchCheckpointFile(runDir: string): string {
  return path.join(jobDirOf(runDir), 'ckpt', 'last.pt');
}

function howEnded(exit: RankExit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  if (exit.code === 127) return 'could not start';
  return `exit code ${String(exit.code)}`;
}

/** Checks the local python can run the job before anything is written or started. */
async function checkPython(engine: EngineOptions, packageParent: string): Promise<string> {
  const python = findPython();
  // A command template runs the job elsewhere (ssh, a scheduler): that machine's python is the user's business.
  if (engine.launcher === 'template') return python;
  const probe = await probeTorch(python, packageParent);
  if (!probe.torch) throw new LabError('NOT_FOUND', msg('torch.torchMissing', { python }));
  if (engine.device === 'cuda' && !probe.cuda) throw new LabError('BAD_CONFIG', msg('torch.noCuda', { python }));
  if (engine.processes > 1 && !probe.gloo && !(probe.cuda && probe.nccl && engine.device !== 'cpu')) {
    throw new LabError('BAD_CONFIG', msg('torch.noGloo', { python, n: engine.processes }));
  }
  return python;
}

export async function trainWithTorch(opts: TorchTrainOptions): Promise<TorchTrainResult> {
  const { runDir, config, engine, hooks, signal } = opts;
  const jobDir = jobDirOf(runDir);
  const resume = opts.resume && existsSync(path.join(jobDir, JOB_FILE));
  if (!resume) await writeJob({ runDir, config, train: opts.train, val: opts.val });
  const python = await checkPython(engine, jobDir);
  const say = (level: 'info' | 'warn' | 'error', m: LabMessage): void => (opts.onMessage ? opts.onMessage(level, m) : hooks.onLog(level, english(m)));
  const pending = msg('torch.labelPending', { n: engine.processes });
  opts.onBackend?.(english(pending), pending);
  say('info', msg('torch.training', { dir: jobDir, n: engine.processes, launcher: engine.launcher === 'local' ? 'local' : 'command template' }));
  if (resume && existsSync(torchCheckpointFile(runDir))) say('info', msg('torch.resuming'));

  let done: { bestEpoch: number | null; stoppedEarly: boolean; reason?: string } | null = null;
  let epochsDone = 0;
  let bestEpoch: number | null = null;
  let lastError: LabMessage | null = null;
  const progress: Promise<void>[] = [];
  const group = await launchRanks({ python, jobDir, processes: engine.processes, device: engine.device, resume, launcher: engine.launcher, ...(engine.commandTemplate ? { commandTemplate: engine.commandTemplate } : {}) }, (line) => {
    const event = parseLabLine(line);
    if (!event) return;
    switch (event.kind) {
      case 'batch': {
        const { kind: _k, ...b } = event;
        appendMetric(runDir, { kind: 'batch', ...b });
        hooks.onBatch(b);
        return;
      }
      case 'epoch': {
        const { kind: _k, ...e } = event;
        appendMetric(runDir, { kind: 'epoch', ...e });
        epochsDone = e.epoch;
        bestEpoch = e.bestEpoch;
        progress.push(
          updateRunProgress(runDir, {
            epochsDone: e.epoch,
            bestEpoch: e.bestEpoch,
            ...(e.valLoss !== null && e.bestEpoch === e.epoch ? { bestValLoss: e.valLoss, bestValAccuracy: e.valAccuracy } : {}),
          }),
        );
        hooks.onEpoch(e);
        return;
      }
      case 'log': {
        const said = logMessage(event);
        // An error line says why the job is about to fail: it becomes the run's error, not also a log line.
        if (event.level === 'error') {
          lastError = said;
          return;
        }
        say(event.level, said);
        return;
      }
      case 'started': {
        const label = msg('torch.label', { torch: event.torch, device: event.device, n: event.worldSize });
        opts.onBackend?.(english(label), label);
        return;
      }
      case 'done':
        done = { bestEpoch: event.bestEpoch, stoppedEarly: event.stoppedEarly, ...(event.reason ? { reason: event.reason } : {}) };
        return;
    }
  });
  const onAbort = (): void => group.stop();
  signal.addEventListener('abort', onAbort);
  // The lab itself is exiting: take the ranks with it rather than leave them training unseen.
  const onExit = (): void => group.kill();
  process.once('exit', onExit);
  // Pause by suspending the ranks here; a command template's remote ranks cannot be paused from here.
  let suspended = false;
  const pauser =
    opts.pause && engine.launcher === 'local'
      ? setInterval(() => {
          const want = opts.pause!.paused && !signal.aborted;
          if (want === suspended) return;
          suspended = want;
          if (want) group.suspend();
          else group.resume();
        }, 200)
      : null;
  let exits: RankExit[];
  try {
    if (signal.aborted) group.stop();
    exits = await group.done;
  } finally {
    if (pauser) clearInterval(pauser);
    signal.removeEventListener('abort', onAbort);
    process.removeListener('exit', onExit);
  }
  await Promise.all(progress);

  const failure = group.firstFailure ?? exits.find((e) => e.code !== 0 && e.code !== 3 && !signal.aborted) ?? null;
  if (failure && failure.code === 2) {
    throw new LabError('BAD_CONFIG', msg('torch.jobInvalid', { reason: lastError ?? (failure.stderrTail || howEnded(failure)) }));
  }
  // Exit 4: training itself failed (a NaN or infinite loss); the job said why on a LAB error line.
  if (failure && failure.code === 4 && lastError) throw new LabError('TRAINING_FAILED', lastError);
  if (failure) {
    throw new LabError('TRAINING_FAILED', msg('torch.rankCrashed', { rank: failure.rank, n: engine.processes, how: howEnded(failure), tail: failure.stderrTail || (lastError ? english(lastError) : '') }), {
      resumable: existsSync(torchCheckpointFile(runDir)),
    });
  }
  const stopped = signal.aborted || exits.some((e) => e.code === 3);
  const modelFile = path.join(jobDir, 'out', 'model.json');
  const finished = done as { bestEpoch: number | null; stoppedEarly: boolean; reason?: string } | null;
  if (stopped) {
    return { model: null, reason: 'stopped', epochsDone, bestEpoch };
  }
  if (!existsSync(modelFile)) throw new LabError('TRAINING_FAILED', msg('torch.noOutput', { file: modelFile }));
  const model = await loadModelFromDir(path.dirname(modelFile));
  say('info', msg('torch.converted'));
  const reason: StopReason = finished?.reason === 'time-budget' ? 'time-budget' : finished?.stoppedEarly ? 'early-stopped' : 'completed';
  return { model, reason, epochsDone, bestEpoch: finished?.bestEpoch ?? bestEpoch };
}
