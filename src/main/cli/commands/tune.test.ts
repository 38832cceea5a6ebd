import { describe, expect, it } from 'vitest';
import type { TuneStepResult } from '../../../shared/tuning';
import { UsageError } from '../context';
import { describeStep, parseSteps } from './tune';

describe('lab tune', () => {
  it('reads --steps as single steps, ranges and lists', () => {
    expect(parseSteps('1-6')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseSteps('3')).toEqual([3]);
    expect(parseSteps('5,1,2')).toEqual([1, 2, 5]);
    expect(parseSteps('4-')).toEqual([4, 5, 6]);
    expect(() => parseSteps('0-3')).toThrow(UsageError);
    expect(() => parseSteps('2-9')).toThrow(/outside 1–6/);
    expect(() => parseSteps('two')).toThrow(/not a step or range/);
  });

  it("prints a step's verdict, numbers, causes and next action", () => {
    const r: TuneStepResult = {
      step: 1,
      title: 'Initial loss check',
      verdict: 'fail',
      numbers: { meanLoss: 47.61, expectedLoss: Math.log(3), inputMax: 255 },
      explanation: 'Mean loss 47.61 vs ln 3.',
      nextAction: 'Fix the preprocessing.',
      causes: ['Preprocessing: inputs range over [0, 255].'],
      runIds: [],
      startedAt: '',
      finishedAt: '',
    };
    const text = describeStep(r);
    expect(text).toMatch(/^Step 1 · Initial loss check: FAIL/);
    expect(text).toContain('meanLoss 47.61 · expectedLoss 1.099 · inputMax 255');
    expect(text).toContain('- Preprocessing: inputs range over [0, 255].');
    expect(text).toContain('→ Fix the preprocessing.');
  });
});
