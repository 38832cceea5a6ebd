import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import type { RunDetail } from '../src/shared/dto';
import { openAt, withLab } from './api';
import { SHAPES_DIR } from './fixtures';

const TOKEN = 'e2e-token-not-secret';
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);

test.describe('export dialog and augmentation → train', () => {
  let run: RunDetail;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    run = await withLab(PORT, TOKEN, async (call) => {
      const ds = await call('datasets.import', { paths: [SHAPES_DIR] });
      const started = await call('runs.start', { datasetId: ds.id, name: 'export me', epochs: 1, batchSize: 8, input: { size: 16, channels: 3 } });
      for (;;) {
        const d = await call('runs.get', started.id);
        if (['completed', 'failed', 'stopped'].includes(d.status)) return d;
        await new Promise((r) => setTimeout(r, 500));
      }
    });
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
  });

  test('the Export dialog offers every format and precision, explained, and the browser downloads the export as a zip', async ({ page }) => {
    await openAt(page, TOKEN, `/runs/${run.id}`);
    await page.getByTestId('export-open').click();
    const dialog = page.getByTestId('export-dialog');
    for (const f of ['tfjs', 'teachable-machine', 'onnx', 'tflite']) await expect(dialog.getByTestId(`export-format-${f}`)).toBeVisible();
    await expect(dialog.getByTestId('export-format-onnx')).toContainText('onnxruntime');
    // int8 is TFLite's only: not offered for ONNX
    await dialog.getByTestId('export-format-onnx').click();
    await expect(dialog.getByTestId('export-quantize-int8').locator('input')).toBeDisabled();
    await dialog.getByTestId('export-quantize-float16').click();
    await dialog.getByTestId('export-button').click();
    await expect(page.getByTestId('export-result')).toContainText('model.onnx', { timeout: 120_000 });
    await page.keyboard.press('Escape');
    const link = page.getByTestId('export-download');
    await expect(link).toHaveAttribute('href', `/api/export/${run.id}/onnx-float16.zip`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const bytes = await (await download.createReadStream()).toArray();
    const files = Object.keys(unzipSync(new Uint8Array(Buffer.concat(bytes)))).filter((f) => !f.endsWith('/'));
    expect(files).toContain('onnx-float16/model.onnx');
  });

  test('"Use these settings for training" brings every transform into the Train form, which shows and edits them', async ({ page }) => {
    await openAt(page, TOKEN, '/augment');
    const rotate = page.getByTestId('transform-rotate');
    await expect(rotate).toBeVisible();
    // rotation on (standard has it off or on; make it differ from the preset either way by toggling twice if needed)
    const sw = rotate.locator('.n-switch').first();
    const wasOn = (await sw.getAttribute('aria-checked')) === 'true';
    await sw.click();
    await page.getByTestId('augment-use-for-training').click();
    await expect(page).toHaveURL(/#\/train/);
    const details = page.getByTestId('train-augmentation');
    await expect(details).toBeVisible();
    await expect(page.getByTestId('train-augmentation-custom')).toBeVisible();
    await expect(details.locator('tr[data-transform="rotate"]')).toHaveAttribute('data-on', String(!wasOn));
    // edit it back on the Train page
    await page.getByTestId('train-augmentation-edit').click();
    await details.getByTestId('transform-rotate').locator('.n-switch').first().click();
    await page.getByTestId('train-augmentation-edit').click();
    await expect(details.locator('tr[data-transform="rotate"]')).toHaveAttribute('data-on', String(wasOn));
  });
});
