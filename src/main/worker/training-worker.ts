/**
 * Entry of the training process (utilityProcess in the app, child_process.fork under the CLI and `lab serve`).
 * Loads the data, trains, evaluates on the test split, saves the model; every finished batch and epoch is
 * appended to the run folder before it is reported, so a crash loses at most the batch in flight.
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
let seq = 0;
let busy = false;

function emit(event: LabEvent): void {
  port.send({ type: 'event', event });
}

const io: JobIO = {
  emit,
  nextSeq: () => ++seq,
  signal: abort.signal,
  gate,
};

async function handle(message: ParentMessage): Promise<void> {
  switch (message.type) {
    case 'pause':
      gate.pause();
      return;
    case 'resume':
      gate.resume();
      return;
    case 'stop':
      abort.abort();
      gate.resume();
      return;
    case 'tune': {
      if (busy) return;
      busy = true;
      try {
        await runTuneJob(openWorkspace(message.workspace), message.tuneId, { emit, signal: abort.signal }, { rerun: message.rerun });
        port.send({ type: 'done', runId: message.tuneId });
      } catch (err) {
        port.send({ type: 'failed', runId: message.tuneId, error: toLabErrorData(err) });
      } finally {
        setTimeout(() => process.exit(0), 50);
      }
      return;
    }
    case 'train':
    case 'evaluate': {
      if (busy) return;
      busy = true;
      const ws = openWorkspace(message.workspace);
      try {
        if (message.type === 'train') await runTrainJob(ws, message.runId, message.config, message.resume, io);
        else await runEvaluateJob(ws, message.runId, io, message.datasetId);
        port.send({ type: 'done', runId: message.runId });
      } catch (err) {
        port.send({ type: 'failed', runId: message.runId, error: toLabErrorData(err) });
      } finally {
        // Let the IPC queue drain before exiting.
        setTimeout(() => process.exit(0), 50);
      }
    }
  }
}

port.onMessage((message) => {
  void handle(message);
});
process.on('uncaughtException', (err) => {
  port.send({ type: 'failed', runId: '', error: toLabErrorData(err) });
  setTimeout(() => process.exit(1), 50);
});
