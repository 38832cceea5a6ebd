import { expect, test } from '@playwright/test';
import type { RunDetail } from '../src/shared/dto';
import { openAt, withLab } from './api';
import { SHAPES_DIR } from './fixtures';

const TOKEN = 'e2e-token-not-secret';
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);

test.describe.serial('runs', () => {
  let run: RunDetail;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    // One short run trained through the API.
    run = await withLab(PORT, TOKEN, async (call) => {
      const ds = await call('datasets.import', { paths: [SHAPES_DIR] });
      const started = await call('runs.start', { datasetId: ds.id, name: 'shapes first try', epochs: 1, batchSize: 8, input: { size: 16, channels: 3 } });
      for (;;) {
        const d = await call('runs.get', started.id);
        if (['completed', 'failed', 'stopped'].includes(d.status)) return d;
        await new Promise((r) => setTimeout(r, 500));
      }
    });
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
  });

  test('a run is renamed from its page with the keyboard, and the name stays after a reload and in the Runs list', async ({ page }) => {
    await openAt(page, TOKEN, `/runs/${run.id}`);
    const title = page.getByTestId('run-title');
    await expect(title).toHaveText('shapes first try');
    const input = page.getByTestId('run-rename-input');

    // Esc cancels: nothing is saved.
    await page.keyboard.press('F2');
    await expect(input).toBeFocused();
    await expect(input).toHaveValue('shapes first try');
    await page.keyboard.type('never saved');
    await page.keyboard.press('Escape');
    await expect(title).toHaveText('shapes first try');

    // F2 opens the name with its text selected, so typing replaces it; Enter saves.
    await page.keyboard.press('F2');
    await expect(input).toBeFocused();
    await page.keyboard.type('  Adam baseline · 形状 ');
    await page.keyboard.press('Enter');
    await expect(title).toHaveText('Adam baseline · 形状');
    await expect(input).toHaveCount(0);

    // The edit button opens it too; leaving the input saves.
    await page.getByTestId('run-rename').click();
    await expect(input).toBeFocused();
    await input.fill('Adam baseline v2');
    await page.keyboard.press('Tab'); // focus moves on: the input loses focus
    await expect(title).toHaveText('Adam baseline v2');

    await page.reload();
    await expect(page.getByTestId('run-title')).toHaveText('Adam baseline v2');
    await openAt(page, TOKEN, '/runs');
    await expect(page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`)).toContainText('Adam baseline v2');
  });

  test('the Runs list renames in a dialog; an empty name is refused with the reason and the dialog stays open', async ({ page }) => {
    await openAt(page, TOKEN, '/runs');
    const row = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
    await row.getByTestId('run-rename').click();
    const input = page.getByTestId('run-rename-input');
    await expect(input).toHaveValue('Adam baseline v2');
    await input.fill('   ');
    await input.press('Enter');
    await expect(page.getByText('name: a run name must be 1 to 200 characters.').first()).toBeVisible();
    await expect(input).toBeVisible();
    await input.fill('SGD vs Adam, round 2');
    await input.press('Enter');
    await expect(input).toHaveCount(0);
    await expect(row).toContainText('SGD vs Adam, round 2');
    // Still on the URL of the list: the click on Rename did not open the run.
    await expect(page).toHaveURL(/#\/runs$/);
    const saved = await withLab(PORT, TOKEN, (call) => call('runs.get', run.id));
    expect(saved.name).toBe('SGD vs Adam, round 2');
  });
});
