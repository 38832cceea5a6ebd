/** Engine errors beyond the common paths carry a message: the same English sentence as before, and Chinese for the UI. */
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../shared/dto';
import { LabError } from '../shared/errors';
import { formatMessage } from '../shared/messages';
import { writeRunReport } from './report/run-report';
import { planSettings } from './tuning/search/space';
import { safeId } from './workspace';

async function caught(fn: () => unknown): Promise<LabError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof LabError) return err;
    throw err;
  }
  throw new Error('expected a LabError');
}

describe('engine errors as messages', () => {
  it('a bad id keeps its English sentence and reads in Chinese', async () => {
    const err = await caught(() => safeId('../x'));
    expect(err.message).toBe(`Invalid id "../x": ids may only contain letters, digits, '.', '_' and '-'. Use an id from the list.`);
    expect(formatMessage(err.msg!, 'en')).toBe(err.message);
    expect(formatMessage(err.msg!, 'zh-CN')).toContain('无效的 ID“../x”');
  });

  it('a report name without .html', async () => {
    const err = await caught(() => writeRunReport({} as RunDetail, 'report.txt'));
    expect(err.code).toBe('BAD_ARGUMENT');
    expect(err.message).toBe('Report file "report.txt" must end in .html so a browser opens it; choose a name like report.html.');
    expect(formatMessage(err.msg!, 'zh-CN')).toBe('报告文件“report.txt”必须以 .html 结尾，浏览器才能打开；请使用类似 report.html 的名称。');
  });

  it('a search range whose max is below its min', async () => {
    const err = await caught(() => planSettings({ mode: 'grid', space: { lr: { min: 0.1, max: 0.01, log: true } }, seed: 1 }, 10));
    expect(err.message).toBe('space.lr: max (0.01) must not be below min (0.1).');
    expect(formatMessage(err.msg!, 'zh-CN')).toBe('space.lr：最大值（0.01）不能小于最小值（0.1）。');
  });
});
