import type { TuneStepNumber, TuneStepResult, TuneVerdict } from '../../../shared/tuning';

export const STEP_TITLES: Record<TuneStepNumber, string> = {
  1: 'Initial loss check',
  2: 'Overfit a small sample',
  3: 'Learning-rate range test',
  4: 'Coarse grid',
  5: 'Refine: train longer',
  6: 'Read the curves',
};

export function stepResult(
  step: TuneStepNumber,
  startedAt: Date,
  r: { verdict: TuneVerdict; numbers: TuneStepResult['numbers']; explanation: string; nextAction: string; causes?: string[]; runIds?: string[] } & Pick<TuneStepResult, 'lrRange' | 'grid' | 'diagnosis'>,
): TuneStepResult {
  const { causes = [], runIds = [], ...rest } = r;
  return { step, title: STEP_TITLES[step], causes, runIds, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), ...rest };
}

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
