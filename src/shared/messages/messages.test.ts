import { describe, expect, it } from 'vitest';
import { catalogs, formatMessage, localize, msg, resolveLocale, type LabMessage } from './index';
import { LabError, toLabErrorData } from '../errors';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)(?::\w+)?(?:\|[^{}]*)?\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('give every code the same placeholders in English and Chinese', () => {
    for (const [code, en] of Object.entries(catalogs.en)) {
      const zh = (catalogs['zh-CN'] as Record<string, string>)[code];
      expect(zh, code).toBeTypeOf('string');
      expect(new Set(placeholders(zh)), code).toEqual(new Set(placeholders(en)));
    }
  });

  it('write every Chinese text in Chinese, not a copy of the English', () => {
    for (const [code, zh] of Object.entries(catalogs['zh-CN'])) {
      // Either Chinese words, or no words at all (punctuation and placeholders only, e.g. '{title}：{summary}').
      const words = zh.replace(/\{[^{}]*\}/g, '');
      expect(/[\u4e00-\u9fff]/.test(zh) || !/[A-Za-z]{2,}/.test(words), `${code}: ${zh}`).toBe(true);
    }
  });
});

describe('formatMessage', () => {
  it('fills placeholders, nested messages and English plural forms in the chosen language', () => {
    const m = msg('error.unexpected', { detail: 'disk full' });
    expect(formatMessage(m, 'en')).toBe("Unexpected error: disk full. Please report it with the run's log.");
    expect(formatMessage(m, 'zh-CN')).toContain('disk full');
    expect(formatMessage(m, 'zh-CN')).toContain('意外错误');
    const nested = msg('error.unexpected', { detail: msg('error.unknownCall', { name: 'x' }) });
    expect(formatMessage(nested, 'zh-CN')).toContain('未知的调用“x”');
  });

  it('joins lists with the separators of the language', () => {
    const m = msg('common.sentences', { items: [msg('common.yes'), msg('common.no')] });
    expect(formatMessage(m, 'en')).toBe('yes no');
    expect(formatMessage(m, 'zh-CN')).toBe('是否');
    expect(formatMessage(msg('error.unexpected', { detail: ['a', msg('common.yes')] }), 'zh-CN')).toContain('a、是');
  });

  it('falls back to the English sentence for a code this build does not know', () => {
    const future: LabMessage = { code: 'future.thing', params: { a: 1 } };
    expect(formatMessage(future, 'zh-CN')).toBe('future.thing');
    expect(localize('A future thing.', future, 'zh-CN')).toBe('A future thing.');
    expect(localize('English', msg('error.unknownCall', { name: 'q' }), 'zh-CN')).toBe('未知的调用“q”。');
  });

  it('maps LANG-style tags to a locale', () => {
    expect(resolveLocale('zh_CN.UTF-8')).toBe('zh-CN');
    expect(resolveLocale('zh-Hans')).toBe('zh-CN');
    expect(resolveLocale('en_US.UTF-8')).toBe('en');
    expect(resolveLocale(undefined)).toBe('en');
  });
});

describe('LabError with a message', () => {
  it('keeps English in .message for old clients and the code in .msg across the boundary', () => {
    const err = new LabError('BAD_ARGUMENT', msg('error.unknownCall', { name: 'runs.fly' }));
    expect(err.message).toBe('Unknown call "runs.fly".');
    const data = JSON.parse(JSON.stringify(err.toJSON()));
    expect(data.msg).toEqual({ code: 'error.unknownCall', params: { name: 'runs.fly' } });
    const back = LabError.from(data);
    expect(back.msg).toEqual(data.msg);
    expect(back.message).toBe(err.message);
    expect(toLabErrorData(new Error('boom')).msg?.code).toBe('error.unexpected');
  });
});
