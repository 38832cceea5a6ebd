import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../shared/config';
import type { BatchLog, EpochLog, RunDetail } from '../../shared/dto';
import { renderRunReport, writeRunReport } from './run-report';

function detail(over: Partial<RunDetail> = {}): RunDetail {
  const epochLogs: EpochLog[] = [];
  const batchLogs: BatchLog[] = [];
  for (let e = 1; e <= 8; e++) {
    for (let b = 0; b < 10; b++) batchLogs.push({ epoch: e, batch: b, batchesPerEpoch: 10, loss: 2 * Math.exp(-(e + b / 10) / 2), accuracy: 0.5, lr: 0.001 });
    epochLogs.push({
      epoch: e,
      loss: 2 * Math.exp(-e / 2),
      accuracy: Math.min(0.95, 0.5 + e * 0.06),
      valLoss: 0.6 + 0.03 * (e - 4) ** 2,
      valAccuracy: Math.min(0.7, 0.45 + e * 0.05),
      lr: 0.001,
      durationS: 3.25,
      imagesPerS: 812,
      bestEpoch: 4,
      patienceLeft: 1,
    });
  }
  return {
    id: 'run-20260101-abc',
    name: 'cats <vs> dogs',
    status: 'completed',
    datasetId: 'ds1',
    datasetName: 'pets',
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    epochs: 10,
    epochsDone: 8,
    bestEpoch: 4,
    bestValAccuracy: 0.65,
    bestValLoss: 0.6,
    testAccuracy: 0.6875,
    backend: 'wasm',
    tags: [],
    config: TrainConfigSchema.parse({ datasetId: 'ds1', optimizer: { name: 'nesterov', lr: 0.0123 } }),
    classes: ['cat', 'dog'],
    epochLogs,
    batchLogs,
    evaluation: {
      split: 'test',
      loss: 0.71,
      accuracy: 0.6875,
      topK: [],
      classes: ['cat', 'dog'],
      perClass: [
        { name: 'cat', precision: 0.7, recall: 0.6, f1: 0.646, support: 8 },
        { name: 'dog', precision: 0.66, recall: 0.75, f1: 0.702, support: 8 },
      ],
      confusion: [
        [6, 2],
        [3, 5],
      ],
      misclassified: [],
    },
    hasModel: true,
    ...over,
  };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('run report', () => {
  it('holds the run numbers, settings, diagnosis and inline SVG charts', () => {
    const html = renderRunReport(detail(), { now: new Date('2026-01-02T00:00:00Z') });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('cats &lt;vs&gt; dogs'); // escaped, never raw markup from a run name
    expect(html).not.toContain('cats <vs> dogs');
    expect(html).toContain('68.8 %'); // test accuracy
    expect(html).toContain('70.0 %'); // best val accuracy from the logs
    expect(html).toContain('0.0123'); // optimizer.lr setting
    expect(html).toContain('optimizer.name');
    expect(html).toContain('nesterov');
    expect(html).toContain('Overfitting');
    expect(html).toMatch(/train acc 95 %, val acc 70 %/);
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(4); // loss, accuracy, learning rate, confusion matrix
    expect(svgs[0]).toMatch(/<path[^>]+d="M/); // a drawn curve, not an empty frame
    // Counts of the confusion matrix appear as cell labels.
    expect(svgs[3]).toMatch(/>6<\/text>/);
    expect(svgs[3]).toMatch(/>3<\/text>/);
  });

  it('loads nothing from outside the file', () => {
    const html = renderRunReport(detail());
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|@import|src=/i);
  });

  it('shows a failed run with its error and without curves', () => {
    const html = renderRunReport(
      detail({ status: 'failed', epochLogs: [], batchLogs: [], evaluation: null, error: { code: 'NAN_LOSS', message: 'Loss became NaN at epoch 1; lower the learning rate.' } }),
    );
    expect(html).toContain('NAN_LOSS');
    expect(html).toContain('lower the learning rate');
    expect(html).toContain('No epochs recorded yet.');
    expect(html).not.toContain('<svg');
  });

  it('speaks Chinese when asked', () => {
    const html = renderRunReport(detail(), { locale: 'zh-CN' });
    expect(html).toContain('训练报告');
    expect(html).toContain('过拟合');
  });

  it('writes the file and refuses a name a browser would not open', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-report-'));
    dirs.push(dir);
    const out = await writeRunReport(detail(), path.join(dir, 'sub', 'r.html'));
    expect(out).toBe(path.join(dir, 'sub', 'r.html'));
    expect(await readFile(out, 'utf8')).toContain('run-20260101-abc');
    await expect(writeRunReport(detail(), path.join(dir, 'r.txt'))).rejects.toThrow(/must end in \.html/);
  });
});
