import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import type { RunDetail } from '../src/shared/dto';
import { openAt, withLab } from './api';
import { SHAPES_DIR } from './fixtures';

const TOKEN = 'e2e-token-not-secret';
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);

async function drawnFraction(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += info.channels) {
    const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = data.length / info.channels;
  return (total - Math.max(...counts.values())) / total;
}

test.describe.serial('dashboards', () => {
  let runs: RunDetail[] = [];

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    // Two short runs that differ in one setting (the optimizer), trained through the API.
    runs = await withLab(PORT, TOKEN, async (call) => {
      const ds = await call('datasets.import', { paths: [SHAPES_DIR] });
      const ids: string[] = [];
      for (const name of ['adam', 'sgd'] as const) {
        const run = await call('runs.start', { datasetId: ds.id, name: `compare ${name}`, epochs: 2, batchSize: 8, input: { size: 16, channels: 3 }, optimizer: { name, lr: name === 'sgd' ? 0.05 : 0.003 } });
        ids.push(run.id);
      }
      const done: RunDetail[] = [];
      for (const id of ids) {
        for (;;) {
          const d = await call('runs.get', id);
          if (['completed', 'failed', 'stopped'].includes(d.status)) {
            done.push(d);
            break;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      return done;
    });
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
  });

  test('a confusion-matrix cell opens the images of that cell', async ({ page }) => {
    const run = runs[0]!;
    const ev = run.evaluation!;
    expect(ev).toBeTruthy();
    // Prefer a cell with mistakes; a perfect model leaves only the diagonal.
    let cell: [number, number] = [0, 0];
    ev.confusion.forEach((row, i) => row.forEach((v, j) => {
      if (i !== j && v > 0) cell = [i, j];
    }));
    await openAt(page, TOKEN, `/runs/${run.id}`);
    const matrix = page.getByTestId('confusion-matrix');
    await expect(matrix).toHaveAttribute('data-cells', /\d+,\d+:/);
    const cells = Object.fromEntries(((await matrix.getAttribute('data-cells')) ?? '').split(';').map((c) => c.split(':') as [string, string]));
    const [x, y] = (cells[`${cell[0]},${cell[1]}`] ?? '').split(',').map(Number);
    await matrix.click({ position: { x: x!, y: y! } });
    const gallery = page.getByTestId('confusion-gallery');
    await expect(gallery).toHaveAttribute('data-actual', ev.classes[cell[0]]!);
    await expect(gallery).toHaveAttribute('data-predicted', ev.classes[cell[1]]!);
    if (cell[0] !== cell[1]) {
      const expected = ev.misclassified.filter((m) => m.label === ev.classes[cell[0]] && m.predicted === ev.classes[cell[1]]).map((m) => String(m.index)).sort();
      const shown = (await gallery.getByTestId('gallery-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-index') ?? ''))).sort();
      expect(shown).toEqual(expected);
    }
  });

  test('comparing two runs draws both series', async ({ page }) => {
    await openAt(page, TOKEN, `/compare?runs=${runs.map((r) => r.id).join(',')}`);
    const chart = page.getByTestId('compare-chart');
    await expect(chart).toHaveAttribute('data-series', '2');
    await expect(chart).toHaveAttribute('data-runs', runs.map((r) => r.id).join(','));
    await page.waitForTimeout(800);
    expect(await drawnFraction(await chart.screenshot())).toBeGreaterThan(0.01);
    await expect(page.getByTestId('compare-settings')).toContainText('sgd');
  });
});
