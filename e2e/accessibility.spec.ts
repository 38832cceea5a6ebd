import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunDetail } from '../src/shared/dto';
import { openAt, withLab } from './api';
import { SHAPES_DIR } from './fixtures';

const TOKEN = 'e2e-token-not-secret';
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);

/** Every view, with data: a dataset and a finished run exist before the walk. */
const views = (datasetId: string, runId: string): [string, string, string][] => [
  ['Home', '/', 'h1'],
  ['Dataset', `/dataset/${datasetId}`, '[data-testid="thumb"]'],
  ['Augment', '/augment', 'h1'],
  ['Train', '/train', 'h1'],
  ['Runs', '/runs', '[data-testid="run-row"]'],
  ['Run', `/runs/${runId}`, '[data-testid="run-title"]'],
  ['Predict', '/predict', 'h1'],
  ['Capture', '/capture', 'h1'],
  ['Live', '/live', 'h1'],
  ['Tune', '/tune', 'h1'],
  ['Compare', '/compare', 'h1'],
  ['Playground', '/playground', 'h1'],
  ['Concepts', '/concepts', 'h1'],
  ['Settings', '/settings', 'h1'],
];

async function axeSerious(page: Page): Promise<{ id: string; impact: string; nodes: number; help: string; targets: string[] }[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, nodes: v.nodes.length, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

// Not serial: a violation on one view must not hide the keyboard checks (or the other theme).
test.describe('accessibility', () => {
  let run: RunDetail;
  let datasetId: string;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    ({ run, datasetId } = await withLab(PORT, TOKEN, async (call) => {
      const ds = await call('datasets.import', { paths: [SHAPES_DIR] });
      const started = await call('runs.start', { datasetId: ds.id, name: 'axe walk', epochs: 2, batchSize: 8, input: { size: 16, channels: 3 } });
      for (;;) {
        const d = await call('runs.get', started.id);
        if (['completed', 'failed', 'stopped'].includes(d.status)) return { run: d, datasetId: ds.id };
        await new Promise((r) => setTimeout(r, 500));
      }
    }));
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
  });

  test('a run opens from the Runs list with the keyboard alone, and focus lands on the page, with a visible ring', async ({ page }) => {
    await withLab(PORT, TOKEN, (call) => call('settings.set', { theme: 'light' }));
    await openAt(page, TOKEN, '/runs');
    const row = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
    await expect(row).toBeVisible();
    await row.focus();
    await expect(row).toBeFocused();
    // the ring is drawn (not a faint fill): a solid outline at least 2 px wide
    const outline = await row.evaluate((el) => {
      const s = getComputedStyle(el);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(outline.style).toBe('solid');
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`#/runs/${run.id}$`));
    await expect(page.getByTestId('run-title')).toBeVisible();
    await expect(page.locator('#main-content')).toBeFocused();

    // Home's recent runs too, with Space
    await openAt(page, TOKEN, '/');
    const homeRow = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
    await homeRow.focus();
    await page.keyboard.press(' ');
    await expect(page).toHaveURL(new RegExp(`#/runs/${run.id}$`));
  });

  test('a thumbnail opens the inspector with the keyboard', async ({ page }) => {
    await openAt(page, TOKEN, `/dataset/${datasetId}`);
    const thumb = page.getByTestId('thumb').first();
    await expect(thumb).toBeVisible();
    await thumb.focus();
    await expect(thumb).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('inspector')).toBeVisible();
  });

  test('navigating from the menu moves focus to the page', async ({ page }) => {
    await openAt(page, TOKEN, '/');
    await page.getByTestId('nav-settings').focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#\/settings$/);
    await expect(page.locator('#main-content')).toBeFocused();
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`axe finds no serious or critical violation on any view (${theme} theme)`, async ({ page }) => {
      test.setTimeout(540_000); // fourteen views, each analysed in full
      await withLab(PORT, TOKEN, (call) => call('settings.set', { theme }));
      const dir = path.resolve('.lab-home/axe');
      mkdirSync(dir, { recursive: true });
      const summary: Record<string, { id: string; impact: string; nodes: number; help: string; targets: string[] }[]> = {};
      for (const [name, route, ready] of views(datasetId, run.id)) {
        await openAt(page, TOKEN, route);
        await expect(page.locator(ready).first()).toBeVisible();
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        await page.waitForTimeout(300); // charts and lazy parts settle
        summary[name] = await axeSerious(page);
        writeFileSync(path.join(dir, `summary-${theme}.json`), JSON.stringify(summary, null, 2));
      }
      const lines = Object.entries(summary).map(([v, list]) => `${v}: ${list.length ? list.map((x) => `${x.id} (${x.impact}, ${x.nodes}) ${x.targets.join(' | ')}`).join('; ') : 'none'}`);
      console.log(`axe summary (${theme}):\n${lines.join('\n')}`);
      expect(Object.values(summary).flat(), lines.join('\n')).toEqual([]);
    });
  }

});
