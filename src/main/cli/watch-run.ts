import type { RunDetail } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { CliContext } from './context';

/** Follow a run until it ends, showing its batches and epochs; Ctrl+C stops it cleanly. */
export async function watchRun(ctx: CliContext, runId: string, epochs: number): Promise<RunDetail> {
  ctx.out.plan(epochs);
  const off = ctx.service.onEvent((e) => {
    if (!('runId' in e) || e.runId !== runId) return;
    if (e.type === 'run.batch') {
      const { type: _t, runId: _r, ...b } = e;
      ctx.out.emit({ type: 'batch', ...b });
    } else if (e.type === 'run.epoch') {
      const { type: _t, runId: _r, ...log } = e;
      ctx.out.emit({ type: 'epoch', ...log });
    } else if (e.type === 'run.log') {
      ctx.out.emit({ type: e.level === 'info' ? 'info' : 'warning', message: e.message });
    }
  });
  const onSigint = (): void => {
    ctx.out.emit({ type: 'info', message: 'Stopping… (the run keeps what it has learned so far)' });
    ctx.service.runs.stop(runId);
  };
  process.once('SIGINT', onSigint);
  try {
    const outcome = await ctx.service.runs.waitFor(runId);
    if (outcome.status === 'failed') throw outcome.error ? LabError.from(outcome.error) : new LabError('TRAINING_FAILED', msg('error.run.failed', { id: runId }));
    return await ctx.lab.call('runs.get', runId);
  } finally {
    process.off('SIGINT', onSigint);
    off();
  }
}
