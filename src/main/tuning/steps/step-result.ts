import type { TuneStepNumber, TuneStepResult, TuneVerdict } from '../../../shared/tuning';
import { asMessage, english, msg, type LabMessage } from '../../../shared/messages';

export const STEP_TITLES: Record<TuneStepNumber, string> = {
  1: 'Initial loss check',
  2: 'Overfit a small sample',
  3: 'Learning-rate range test',
  4: 'Coarse grid',
  5: 'Refine: train longer',
  6: 'Read the curves',
};

/** The result with every sentence twice: English (for old clients and logs) and as a message (for the UI's language). */
export function stepResult(
  step: TuneStepNumber,
  startedAt: Date,
  r: { verdict: TuneVerdict; numbers: TuneStepResult['numbers']; explanation: LabMessage; nextAction: LabMessage; causes?: LabMessage[]; runIds?: string[] } & Pick<TuneStepResult, 'lrRange' | 'grid' | 'diagnosis'>,
): TuneStepResult {
  const { causes = [], runIds = [], explanation, nextAction, ...rest } = r;
  const titleMsg = msg(`tuning.title.${step}`);
  return {
    step,
    title: STEP_TITLES[step],
    explanation: english(explanation),
    nextAction: english(nextAction),
    causes: causes.map(english),
    titleMsg,
    explanationMsg: explanation,
    nextActionMsg: nextAction,
    causeMsgs: causes,
    runIds,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...rest,
  };
}

/** A free-text note (an engine error's sentence) inside a message. */
export const note = (text: string | LabMessage): LabMessage => asMessage(text);

/** Short number formatting for explanations (4 significant digits, exponent for very small / large). */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`;
}
