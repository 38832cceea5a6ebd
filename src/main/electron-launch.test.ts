/**
 * `npm start` / `npm run dev` (scripts/electron-launch.mjs) where the Electron binary is not installed and cannot
 * be fetched: one paragraph saying what is missing and how to get it, no stack trace. The fetch is pointed at a
 * closed local port with an empty download cache, so this never downloads anything, whatever the network allows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labRoot } from './install-paths';

const electronDir = path.dirname(createRequire(path.join(labRoot(), 'package.json')).resolve('electron/package.json'));
const pathFile = path.join(electronDir, 'path.txt');
const installed = existsSync(pathFile) && existsSync(path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
const cache = mkdtempSync(path.join(os.tmpdir(), 'lab-electron-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('npm start without an Electron binary', () => {
  it.skipIf(installed)('says in one paragraph what is missing and how to get it, and exits 1', () => {
    const run = spawnSync(process.execPath, [path.join(labRoot(), 'scripts', 'electron-launch.mjs'), 'preview'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: cache, ELECTRON_OVERRIDE_DIST_PATH: '' },
    });
    expect(run.status).toBe(1);
    const paragraph = run.stderr.trim();
    expect(paragraph.split('\n')).toHaveLength(1);
    expect(paragraph).toMatch(/^The desktop app needs the Electron \d+\.\d+\.\d+ binary, which is not installed/);
    expect(paragraph).toContain('npx install-electron');
    expect(paragraph).toContain('npm run lab -- serve');
    expect(paragraph).not.toMatch(/\n\s+at /);
    expect(existsSync(pathFile)).toBe(false);
  });
});
