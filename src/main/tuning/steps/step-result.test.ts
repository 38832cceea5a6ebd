import { describe, expect, it } from 'vitest';
import { formatMessage, msg } from '../../../shared/messages';
import { stepResult } from './step-result';

describe('a tuning step result', () => {
  it('carries each sentence in English (old clients) and as a message the UI shows in Chinese', () => {
    const r = stepResult(2, new Date(), {
      verdict: 'fail',
      numbers: { lr: 10 },
      explanation: msg('tuning.s2.diverged', { images: 10, lr: '10', note: 'NaN at batch 3' }),
      causes: [msg('tuning.s2.causeLrHigh')],
      nextAction: msg('tuning.s2.lowerLr', { lr: '1' }),
    });
    expect(r.title).toBe('Overfit a small sample');
    expect(r.explanation).toBe('The loss became NaN/Inf while fitting 10 images at learning rate 10: NaN at batch 3.');
    expect(r.causes).toEqual(['Learning rate too large: each step overshoots until the numbers overflow.']);
    expect(formatMessage(r.titleMsg!, 'zh-CN')).toBe('过拟合一个小样本');
    expect(formatMessage(r.explanationMsg!, 'zh-CN')).toBe('在学习率 10 下拟合 10 张图片时，损失变成了 NaN/Inf：NaN at batch 3。');
    expect(formatMessage(r.nextActionMsg!, 'zh-CN')).toContain('降低约 10 倍（到 1）');
    expect(r.causeMsgs!.map((m) => formatMessage(m, 'zh-CN'))).toEqual(['学习率过大：每一步都越过头，直到数值溢出。']);
  });
});
