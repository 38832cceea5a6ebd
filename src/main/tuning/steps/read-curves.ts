/** Step 6 (docs/CONCEPTS.md#step-6-read-the-curves): the dashboards' diagnosis of step 5's run, with its recommended next actions. */
import { diagnose } from '../../../shared/analysis/diagnosis';
import { actionMessage, diagnosisText, kindMessages } from '../../../shared/analysis/diagnosis-text';
import { msg } from '../../../shared/messages';
import type { TuneStepResult, TuneVerdict } from '../../../shared/tuning';
import { readRun } from '../../runs';
import type { TuneContext } from '../context';
import { stepResult } from './step-result';

export async function readCurves(ctx: TuneContext, runId: string): Promise<TuneStepResult> {
  const started = new Date();
  const run = await readRun(ctx.ws, runId);
  const d = diagnose({ epochs: run.epochLogs, batches: run.batchLogs, config: run.config });
  const verdict: TuneVerdict = d.kind === 'good-fit' ? 'pass' : d.kind === 'diverged' ? 'fail' : 'warn';
  const k = kindMessages(d.kind);
  const last = run.epochLogs[run.epochLogs.length - 1];
  return stepResult(6, started, {
    verdict,
    numbers: {
      kind: d.kind,
      epochs: run.epochLogs.length,
      finalTrainLoss: last?.loss ?? null,
      finalValLoss: last?.valLoss ?? null,
      finalTrainAccuracy: last?.accuracy ?? null,
      finalValAccuracy: last?.valAccuracy ?? null,
      sinceEpoch: d.sinceEpoch,
    },
    runIds: [runId],
    diagnosis: { ...d, text: diagnosisText(d) },
    explanation: msg('tuning.s6.explain', { title: k.title, summary: k.summary }),
    causes: [],
    nextAction: d.actions.length ? msg('tuning.s6.actions', { actions: d.actions.map(actionMessage) }) : msg('tuning.s6.nothing'),
  });
}
