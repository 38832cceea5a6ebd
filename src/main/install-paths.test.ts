import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labRoot, labVersion, rendererDir, runningFromSource, sampleDir, sourceEntryBootstrap } from './install-paths';
import { workerCommand } from './worker/fork-launcher';

/** A folder that has nothing to do with the lab: no package.json, no node_modules. */
const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'lab-elsewhere-'));
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

describe('install paths: found from the code, never from the working directory', () => {
  it("locates the lab's own folder, version, sample and renderer", () => {
    const root = labRoot();
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).name).toBe('image-classification-lab');
    expect(labVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(existsSync(path.join(sampleDir(), 'train'))).toBe(true);
    expect(rendererDir()).toBe(path.join(root, 'out', 'renderer'));
    expect(runningFromSource).toBe(true);
  });

  it('forks the training worker by absolute path (from sources: the tsx bootstrap with the .ts entry)', () => {
    const { script, args } = workerCommand();
    expect(script).toBe(sourceEntryBootstrap());
    expect(path.isAbsolute(args[0]!)).toBe(true);
    expect(existsSync(args[0]!)).toBe(true);
    expect(workerCommand('/opt/lab/out/main/worker.js')).toEqual({ script: '/opt/lab/out/main/worker.js', args: [] });
  });

  it('the bootstrap runs a TypeScript entry started from an unrelated directory, passing its arguments on', () => {
    const entry = path.join(elsewhere, 'entry.mts');
    writeFileSync(entry, "const args: string[] = process.argv.slice(2);\nconsole.log(JSON.stringify(args));\n");
    const run = spawnSync(process.execPath, [sourceEntryBootstrap(), entry, 'a', 'b'], { cwd: elsewhere, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['a', 'b']);
  });

  it('`lab` (bin/lab.js) answers from an unrelated directory', () => {
    const run = spawnSync(process.execPath, [path.join(labRoot(), 'bin', 'lab.js'), '--help'], {
      cwd: elsewhere,
      encoding: 'utf8',
      env: { ...process.env, LAB_FROM_SOURCE: '1' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/^Usage: lab <command>/m);
  });
});
