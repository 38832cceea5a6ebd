/**
 * A job stopped by SIGTERM in the middle of an epoch writes its checkpoint and exits 3; run again, it continues at
 * the next batch. Together the two runs log every epoch and every batch exactly once, and end with the very weights
 * (bit for bit) of a run that was never interrupted: batches, dropout masks and augmentation are all functions of
 * (seed, epoch, batch), and the checkpoint holds the weights, optimizer slots, batch-norm statistics and partial sums.
 */
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../models';
import { parseTrainConfig } from '../training/train-config';
import { hasTorch, labLines, randomImages, runLabjob, startLabjob, writeJobFolder } from './test-support/labjob-fixture';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(tmpdir(), 'labjob-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function writeJob(name: string): Promise<string> {
  const config = parseTrainConfig({
    datasetId: 'resume',
    input: { size: 8, channels: 1, fit: 'squash' },
    model: { kind: 'cnn', blocks: [{ filters: 4, dropout: 0.1 }], headDropout: 0.3, dense: [] },
    optimizer: { name: 'adam', lr: 0.01 },
    epochs: 3,
    batchSize: 8,
    seed: 11,
  });
  const model = await buildModel(config, 3);
  return writeJobFolder(path.join(root, name), { config, classes: ['a', 'b', 'c'], model, train: randomImages(240, 8, 1, 3, 1), val: randomImages(16, 8, 1, 3, 2) });
}

const sha = (d: string, rank = 0) => readFileSync(path.join(d, 'out', `weights-sha256-rank${rank}.txt`), 'utf8');

describe.skipIf(!hasTorch())('a killed labjob resumes from its checkpoint', () => {
  it('SIGTERM mid-epoch → exit 3; the resumed run repeats no batch or epoch and ends with the uninterrupted weights', async () => {
    const straight = await writeJob('straight');
    const killed = path.join(root, 'killed');
    cpSync(straight, killed, { recursive: true });

    const full = runLabjob(straight, ['run', '--job', straight, '--fresh']);
    expect(full.status, full.stderr).toBe(0);

    let sent = false;
    const first = await startLabjob(killed, ['run', '--job', killed, '--fresh'], (line, kill) => {
      if (!sent && line.kind === 'batch' && line.epoch === 2 && line.batch === 3) {
        sent = true;
        kill('SIGTERM');
      }
    });
    expect(first.code, first.stderr).toBe(3);
    expect(first.lines.some((l) => l.kind === 'done')).toBe(false);
    const stoppedAt = first.lines.filter((l) => l.kind === 'batch').at(-1)!;
    expect(stoppedAt.epoch).toBe(2);
    expect(stoppedAt.batch as number).toBeLessThan(30);
    expect(first.lines.find((l) => l.kind === 'log' && l.code === 'torchJob.stopped')).toBeTruthy();

    const second = runLabjob(killed, ['run', '--job', killed]);
    expect(second.status, second.stderr).toBe(0);
    const rest = labLines(second.stdout);
    expect(rest.find((l) => l.kind === 'started')!.resumed).toBe(true);
    expect(rest.find((l) => l.kind === 'batch')).toMatchObject({ epoch: 2, batch: (stoppedAt.batch as number) + 1 });

    const all = [...first.lines, ...rest];
    expect(all.filter((l) => l.kind === 'epoch').map((l) => l.epoch)).toEqual([1, 2, 3]);
    const batches = all.filter((l) => l.kind === 'batch').map((l) => `${String(l.epoch)}:${String(l.batch)}`);
    expect(new Set(batches).size).toBe(batches.length);
    expect(batches).toHaveLength(3 * 30);

    expect(sha(killed)).toBe(sha(straight));
    const epochs = (lines: ReturnType<typeof labLines>) => lines.filter((l) => l.kind === 'epoch').map((l) => [l.loss, l.accuracy, l.valLoss]);
    expect(epochs(all)).toEqual(epochs(labLines(full.stdout)));
  });

  it('a checkpoint written by one process resumes on 2 ranks (rank 0 sends it to the other)', async () => {
    const dir = await writeJob('two');
    const first = await startLabjob(dir, ['run', '--job', dir, '--fresh'], (line, kill) => {
      if (line.kind === 'epoch' && line.epoch === 2) kill('SIGTERM');
    });
    expect(first.code, first.stderr).toBe(3);
    const resumed = runLabjob(dir, ['launch', '--nproc', '2', '--', 'run', '--job', dir]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const lines = labLines(resumed.stdout);
    expect(lines.find((l) => l.kind === 'started')).toMatchObject({ worldSize: 2, resumed: true });
    expect([...first.lines, ...lines].filter((l) => l.kind === 'epoch').map((l) => l.epoch)).toEqual([1, 2, 3]);
    expect(sha(dir, 1)).toBe(sha(dir, 0));
  });
});
