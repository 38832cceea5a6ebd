/** Messages between the service and a training process. A discriminated union; run events carry the runId. */
import type { TrainConfig } from '../../shared/config';
import type { LabErrorData } from '../../shared/errors';
import type { LabEvent } from '../../shared/events';

export type ParentMessage =
  | { type: 'train'; runId: string; workspace: string; config: TrainConfig; resume: boolean }
  /** Evaluate a run's model on its test split, or on every image of another dataset (datasetId). */
  | { type: 'evaluate'; runId: string; workspace: string; datasetId?: string }
  /** Guided tuning or search: the state (request included) is read from tuning/<tuneId>/state.json. */
  | { type: 'tune'; tuneId: string; workspace: string; rerun: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Finish: stop the job in flight, answer `drained`, close the channel and exit. */
  | { type: 'drain' };

export type WorkerMessage =
  | { type: 'ready'; backend: string }
  | { type: 'event'; event: LabEvent }
  | { type: 'done'; runId: string }
  | { type: 'failed'; runId: string; error: LabErrorData }
  /** The answer to `drain`: the job has ended and the process is exiting. */
  | { type: 'drained' };

/** The child's view of its parent: Electron's utilityProcess parentPort or Node's IPC channel. */
export interface ParentPort {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: ParentMessage) => void): void;
  /** Sends the last message and closes the channel, so the process exits once its work is done. */
  close(last: WorkerMessage): void;
}

/** The parent's view of a child process, whichever API started it. */
export interface WorkerHandle {
  send(message: ParentMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /**
   * Called once when the process ends; code null when killed by a signal. `reason` says how it ended, with the
   * last lines it wrote to stderr: the message for a run that had not finished.
   */
  onExit(listener: (code: number | null, signal: string | null, reason: string) => void): void;
  /** Asks the process to finish and waits for it to exit; SIGTERM, then SIGKILL, if it does not in time. */
  drain(): Promise<void>;
  /** drain() without waiting. */
  kill(): void;
}

/** Starts a training process: child_process.fork under the CLI and `lab serve`, utilityProcess in Electron. */
export type WorkerLauncher = () => WorkerHandle;
