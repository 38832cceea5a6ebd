import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './test-support';

const lab = runCli;

const root = mkdtempSync(path.join(os.tmpdir(), 'lab-cli-'));
const data = path.join(root, 'images');

beforeAll(async () => {
  process.env.LAB_HOME = path.join(root, 'home');
  // Two easy classes of 8×8 images: bright and dark.
  for (const [cls, level] of [['bright', 220], ['dark', 30]] as const) {
    mkdirSync(path.join(data, cls), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const px = Buffer.alloc(8 * 8 * 3, level + (i % 5) * 4);
      await sharp(px, { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(path.join(data, cls, `${i}.png`));
    }
  }
});
afterEach(() => vi.restoreAllMocks());

describe('lab CLI', () => {
  it('exits 2 with the usage for bad usage', async () => {
    expect((await lab([])).code).toBe(2);
    const unknown = await lab(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: lab');
    expect((await lab(['train'])).code).toBe(2);
    expect((await lab(['train', data, '--no-such-flag'])).code).toBe(2);
  });

  it('exits 1 with a JSON error naming the path when a folder does not exist', async () => {
    const missing = path.join(root, 'nope');
    const r = await lab(['import', missing, '--json']);
    expect(r.code).toBe(1);
    const error = r.lines.find((l) => l.type === 'error') as unknown as { error: { message: string } } | undefined;
    expect(error?.error.message).toContain(missing);
  });

  it('rejects a bad config with the field named, before any training starts', async () => {
    const cfg = path.join(root, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ optimizer: { lr: -1 }, batchSize: 0 }));
    const r = await lab(['train', data, '--config', cfg, '--json']);
    expect(r.code).toBe(1);
    const msg = (r.lines.find((l) => l.type === 'error') as unknown as { error: { message: string } }).error.message;
    expect(msg).toContain('optimizer.lr');
    expect(msg).toContain('batchSize');
    expect(r.lines.some((l) => l.type === 'batch')).toBe(false);
  });

  it('trains, exports, predicts to CSV and reports, all as JSON events', async () => {
    const out = path.join(root, 'export');
    const r = await lab(['train', data, '--epochs', '2', '--batch-size', '4', '--size', '8', '--out', out, '--json']);
    expect(r.code, JSON.stringify(r.lines.filter((l) => l.type === 'error'))).toBe(0);
    expect(r.lines.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);
    expect(r.lines.some((l) => l.type === 'progress')).toBe(true);
    const result = r.lines.find((l) => l.type === 'result') as unknown as { runId: string; status: string; exportDir: string };
    expect(result.status).toBe('completed');
    expect(existsSync(path.join(out, 'model.json'))).toBe(true);
    expect(readFileSync(path.join(out, 'labels.txt'), 'utf8').trim().split('\n')).toEqual(['bright', 'dark']);

    const csv = path.join(root, 'preds.csv');
    const p = await lab(['predict', out, path.join(data, 'dark'), '--csv', csv, '--json']);
    expect(p.code).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(11);
    expect(rows[0]).toMatch(/path.*bright.*dark/);

    // Evaluation on another folder: every image of it, labels matched by class name.
    const other = path.join(root, 'other');
    for (const [cls, level] of [['dark', 40], ['bright', 200]] as const) {
      mkdirSync(path.join(other, cls), { recursive: true });
      for (let i = 0; i < 5; i++) await sharp(Buffer.alloc(8 * 8 * 3, level + i), { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(path.join(other, cls, `o${i}.png`));
    }
    const ev = await lab(['evaluate', result.runId, other, '--json']);
    expect(ev.code, JSON.stringify(ev.lines.filter((l) => l.type === 'error'))).toBe(0);
    const evaluation = (ev.lines.find((l) => l.type === 'result') as unknown as { evaluation: { confusion: number[][]; classes: string[] } }).evaluation;
    expect(evaluation.classes).toEqual(['bright', 'dark']);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10);

    const rep = await lab(['report', result.runId, '--json']);
    expect(rep.code).toBe(0);
    const file = (rep.lines.find((l) => l.type === 'result') as unknown as { report: string }).report;
    expect(readFileSync(file, 'utf8')).toContain('<svg');
  }, 240_000);
});
