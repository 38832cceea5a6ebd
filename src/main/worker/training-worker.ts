/**
 * Entry of the training process (utilityProcess in the app, child_process.fork under the CLI and `lab serve`).
 * It runs one job (train, evaluate or tune), reports `done` or `failed`, and exits when the parent drains it
 * (see supervisor.ts): the job is stopped if still running, `drained` is sent, the channel closed. Every finished
 * batch and epoch is appended to the run folder before it is reported, so a crash loses at most the batch in flight.
 */
import { toLabErrorData } from '../../shared/errors';
import type { LabEvent } from '../../shared/events';
import { openWorkspace } from '../workspace';
import { connectToParent } from './parent-port';
import { PauseGate } from './pause-gate';
import type { ParentMessage } from './protocol';
import { runEvaluateJob, runTrainJob, type JobIO } from './jobs';
import { runTuneJob } from '../tuning/job';

const port = connectToParent();
const gate = new PauseGate();
const abort = new AbortController();
let job: Promise<void> | null = null;

function emit(event: LabEvent): void {
  port.send({ type: 'event', event });
}

const io: JobIO = {
  emit,
  signal: abort.signal,
  gate,
};

/** Runs the process's one job and reports how it ended; later job requests are ignored. */
function start(id: string, work: () => Promise<unknown>): void {
  job ??= work().then(
    () => port.send({ type: 'done', runId: id }),
    (err: unknown) => port.send({ type: 'failed', runId: id, error: toLabErrorData(err) }),
  );
}

function stop(): void {
  abort.abort();
  gate.resume();
}

async function drain(): Promise<void> {
  stop();
  await job;
  port.close({ type: 'drained' });
}

function handle(message: ParentMessage): void {
  switch (message.type) {
    case 'pause':
      return gate.pause();
    case 'resume':
      return gate.resume();
    case 'stop':
      return stop();
    case 'drain':
      return void drain();
    case 'tune':
      return start(message.tuneId, () => runTuneJob(openWorkspace(message.workspace), message.tuneId, { emit, signal: abort.signal }, { rerun: message.rerun }));
    case 'train':
      return start(message.runId, () => runTrainJob(openWorkspace(message.workspace), message.runId, message.config, message.resume, io));
    case 'evaluate':
      return start(message.runId, () => runEvaluateJob(openWorkspace(message.workspace), message.runId, io, message.datasetId));
  }
}

port.onMessage(handle);
// An error nothing caught: say it on stderr (the parent puts the last lines into the failed run's message) and end.
process.on('uncaughtException', (err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
