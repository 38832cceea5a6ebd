import { describe, expect, it } from 'vitest';
import { toLabErrorData } from './errors';

const sys = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code}: raw`), { code, ...extra });

describe('raw system errors reach people with advice, never as "please report"', () => {
  it('maps EISDIR, ENOENT and ERR_SOCKET_BAD_PORT to a clear message naming the path or port', () => {
    expect(toLabErrorData(sys('EISDIR', { path: '/data/cats' }))).toMatchObject({ code: 'BAD_ARGUMENT', message: '/data/cats is a folder where a file was expected. Give the path of a file inside it.' });
    expect(toLabErrorData(sys('ENOENT', { path: '/nope/model.json' }))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^\/nope\/model.json does not exist\. Check the path/) });
    const port = Object.assign(new RangeError('options.port should be >= 0 and < 65536. Received type number (NaN).'), { code: 'ERR_SOCKET_BAD_PORT' });
    expect(toLabErrorData(port)).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/^Port NaN is not a valid port: use a whole number from 0 to 65535/) });
    for (const e of [sys('EISDIR'), sys('EACCES', { path: '/x' }), sys('ENOSPC', { path: '/x' })]) {
      expect(toLabErrorData(e).message).not.toMatch(/report/i);
      expect(toLabErrorData(e).code).not.toBe('INTERNAL');
    }
  });

  it('keeps INTERNAL for errors it does not know', () => {
    expect(toLabErrorData(new TypeError('x is undefined')).code).toBe('INTERNAL');
    expect(toLabErrorData(sys('ESOMETHINGNEW')).code).toBe('INTERNAL');
  });
});
