// The rank launcher on its own, with the stand-in job package: command templates (per rank, shell quoting) and
// pausing (every rank suspended, then continued), without the rest of the lab.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fillTemplate, launchRanks, localRankArgs } from './launcher';
import { parseLabLine, type LabLine } from './lab-lines';
import { DEBIAN_PYTHON } from './python';
import { writeFakeLabjob } from './test-support/fake-labjob';

/** A job folder the stand-in package can run: job.json and the package, in a path with a space. */
function fakeJob(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'lab-launcher-')), 'my job');
  mkdirSync(dir, { recursive: true });
  writeFakeLabjob(dir);
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify({ config: { batchSize: 2, epochs: 3, optimizer: { lr: 0.01 } }, data: { train: { count: 4 } }, model: 'model-init/model.json' }));
  mkdirSync(path.join(dir, 'model-init'));
  writeFileSync(path.join(dir, 'model-init', 'model.json'), '{}');
  return dir;
}

const procState = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];

describe.skipIf(!existsSync(DEBIAN_PYTHON))('rank launcher', () => {
  it('fills a command template (values quoted for the shell) and runs it once per rank when it names {rank}', async () => {
    expect(fillTemplate('ssh n{rank} {python} --job {jobDir} {resume}', { rank: '1', python: '/usr/bin/python3', jobDir: "/a b/it's", resume: '--fresh' })).toBe(
      `ssh n1 /usr/bin/python3 --job '/a b/it'\\''s' --fresh`,
    );
    const jobDir = fakeJob();
    const lines: LabLine[] = [];
    const group = await launchRanks(
      { python: DEBIAN_PYTHON, jobDir, processes: 2, device: 'cpu', resume: false, launcher: 'template', commandTemplate: 'cd {jobDir} && RANK={rank} {python} -m labjob run --job {jobDir} --device {device} {resume}' },
      (l) => {
        const e = parseLabLine(l);
        if (e) lines.push(e);
      },
    );
    const exits = await group.done;
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
    expect(lines.filter((l) => l.kind === 'epoch')).toHaveLength(3);
    expect(lines.at(-1)?.kind).toBe('done');
    const seen = JSON.parse(readFileSync(path.join(jobDir, 'seen-env.json'), 'utf8')) as { WORLD_SIZE: string; args: string[] };
    expect(seen.WORLD_SIZE).toBe('2');
    expect(seen.args).toEqual(['run', '--job', jobDir, '--device', 'cpu', '--fresh']);
    expect(existsSync(path.join(jobDir, 'pid-rank1'))).toBe(true);
  }, 60_000);

  it.skipIf(process.platform !== 'linux')('a local rank ends when the process that started it is killed outright', async () => {
    const jobDir = fakeJob();
    // sh stands in for the lab's training process: it starts the rank the way the launcher does, then is SIGKILLed.
    const parent = spawn('/bin/sh', ['-c', '"$0" "$@" & wait', DEBIAN_PYTHON, ...localRankArgs({ jobDir, device: 'cpu', resume: false })], {
      env: { ...process.env, PYTHONPATH: jobDir, FAKE_LABJOB_MODE: 'hang' },
      stdio: 'ignore',
    });
    const pidFile = path.join(jobDir, 'pid-rank0');
    for (let i = 0; i < 200 && !existsSync(path.join(jobDir, 'ckpt', 'last.pt')); i++) await new Promise((r) => setTimeout(r, 50));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(procState(pid)).not.toBe('Z');
    parent.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 50));
      gone = !existsSync(`/proc/${pid}`) || procState(pid) === 'Z';
    }
    expect(gone).toBe(true);
  }, 60_000);

  it('pauses every rank (suspended) and continues them; stop then ends them with the stopped code', async () => {
    process.env.FAKE_LABJOB_MODE = 'hang';
    try {
      const jobDir = fakeJob();
      let epochs = 0;
      const group = await launchRanks({ python: DEBIAN_PYTHON, jobDir, processes: 2, device: 'cpu', resume: false, launcher: 'local' }, (l) => {
        if (parseLabLine(l)?.kind === 'epoch') epochs++;
      });
      for (let i = 0; i < 200 && (epochs === 0 || !existsSync(path.join(jobDir, 'pid-rank1'))); i++) await new Promise((r) => setTimeout(r, 50));
      expect(epochs).toBe(1);
      group.suspend();
      await new Promise((r) => setTimeout(r, 200));
      expect(group.pids.map(procState)).toEqual(['T', 'T']);
      group.resume();
      await new Promise((r) => setTimeout(r, 200));
      expect(group.pids.map(procState).filter((s) => s === 'T')).toEqual([]);
      group.suspend();
      group.stop(); // a paused job can still be stopped: the ranks are continued to handle SIGTERM
      expect((await group.done).map((e) => e.code)).toEqual([3, 3]);
    } finally {
      delete process.env.FAKE_LABJOB_MODE;
    }
  }, 60_000);
});
