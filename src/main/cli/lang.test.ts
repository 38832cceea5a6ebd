import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './test-support';

const root = mkdtempSync(path.join(os.tmpdir(), 'lab-cli-lang-'));
const missing = path.join(root, 'nope');
const savedLang = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_MESSAGES: process.env.LC_MESSAGES };

beforeAll(() => {
  process.env.LAB_HOME = path.join(root, 'home');
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const [k, v] of Object.entries(savedLang)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('lab CLI language', () => {
  it('speaks Chinese with --lang zh-CN, and English with --lang en', async () => {
    const zh = await runCli(['import', missing, '--lang', 'zh-CN']);
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain(`错误：${missing} 不存在。请检查路径，或重新选择文件夹。`);
    const en = await runCli(['import', missing, '--lang', 'en']);
    expect(en.stderr).toContain(`error: ${missing} does not exist. Check the path, or pick the folder again.`);
  });

  it('follows LANG when --lang is not given (zh_CN.UTF-8 → Chinese)', async () => {
    delete process.env.LC_ALL;
    delete process.env.LC_MESSAGES;
    process.env.LANG = 'zh_CN.UTF-8';
    const r = await runCli(['import', missing]);
    expect(r.stderr).toContain('不存在');
    process.env.LANG = 'en_GB.UTF-8';
    expect((await runCli(['import', missing])).stderr).toContain('does not exist');
  });

  it('keeps --json events English and adds the message code for other clients', async () => {
    const r = await runCli(['import', missing, '--json', '--lang', 'zh-CN']);
    const error = r.lines.find((l) => l.type === 'error') as unknown as { error: { message: string; msg: { code: string } } };
    expect(error.error.message).toContain('does not exist');
    expect(error.error.msg.code).toBe('error.path.missing');
  });
});
