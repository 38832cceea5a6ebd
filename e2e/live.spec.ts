import { expect, test } from '@playwright/test';
import type { RunDetail } from '../src/shared/dto';
import { openAt, withLab } from './api';
import { SHAPES_DIR } from './fixtures';

const TOKEN = 'e2e-token-not-secret';
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);

// Chromium's fake camera (a moving test pattern) and no permission prompt.
test.use({
  launchOptions: {
    executablePath: process.env.LAB_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
});

test.describe.serial('live prediction', () => {
  let run: RunDetail;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    run = await withLab(PORT, TOKEN, async (call) => {
      const ds = await call('datasets.import', { paths: [SHAPES_DIR] });
      // A barely trained model: its test images include mistakes, for the confusion-matrix drill-down.
      const started = await call('runs.start', { datasetId: ds.id, name: 'live shapes', epochs: 1, batchSize: 8, input: { size: 16, channels: 3 }, optimizer: { name: 'sgd', lr: 0.0001 } });
      for (;;) {
        const d = await call('runs.get', started.id);
        if (['completed', 'failed', 'stopped'].includes(d.status)) return d;
        await new Promise((r) => setTimeout(r, 500));
      }
    });
    expect(run.status).toBe('completed');
  });

  test('the camera feed is classified continuously: a top-1 class, predictions per second and latency', async ({ page }) => {
    await openAt(page, TOKEN, '/live');
    await expect(page.getByTestId('live-model')).toContainText('live shapes');
    const top1 = page.getByTestId('live-top1');
    await expect(top1).toHaveAttribute('data-label', /^(circle|square|stripes)$/);
    // The rate is measured over the last second: it is positive once a few frames have come back.
    await expect.poll(async () => Number(await page.getByTestId('live-rate').getAttribute('data-rate')), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(page.getByTestId('live-latency')).toBeVisible();
    // The heatmap of where the model looked arrives a few times a second, over what the model saw.
    await expect(page.getByTestId('heatmap-overlay')).toBeVisible();
    // Leaving the page stops the camera: no live video track remains.
    await page.getByTestId('nav-runs').click();
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const v = document.querySelector('video');
          return v ? (v.srcObject as MediaStream | null)?.getVideoTracks().filter((t) => t.readyState === 'live').length ?? 0 : 0;
        }),
      )
      .toBe(0);
  });

  test('a dropped image is classified once, with its heatmap', async ({ page }) => {
    await openAt(page, TOKEN, '/live');
    await expect(page.getByTestId('live-model')).toContainText('live shapes');
    const png = await (await import('node:fs/promises')).readFile(`${SHAPES_DIR}/stripes/0.png`);
    const dataTransfer = await page.evaluateHandle((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'stripes.png', { type: 'image/png' }));
      return dt;
    }, png.toString('base64'));
    await page.locator('.page').first().dispatchEvent('drop', { dataTransfer });
    await expect(page.getByTestId('live-dropped')).toBeVisible();
    await expect(page.getByTestId('live-top1')).toHaveAttribute('data-label', /^(circle|square|stripes)$/);
    await expect(page.getByTestId('heatmap-overlay')).toBeVisible();
  });

  test('the confusion-matrix drill-down and the uncertain images show where the model looked', async ({ page }) => {
    expect(run.evaluation?.misclassified.length).toBeGreaterThan(0);
    await openAt(page, TOKEN, `/runs/${run.id}`);
    await page.getByTestId('confused-pair').first().click();
    const gallery = page.getByTestId('confusion-gallery');
    await expect(gallery.getByTestId('gallery-item').first()).toBeVisible();
    await expect(gallery.getByTestId('heatmap-overlay')).toHaveCount(0);
    await gallery.getByTestId('gallery-heatmaps').click();
    // Every image of the cell gets the heat of the class it was predicted as, over the image as the model saw it.
    const items = await gallery.getByTestId('gallery-item').count();
    await expect(gallery.getByTestId('heatmap-overlay')).toHaveCount(items);
    const predicted = await gallery.getAttribute('data-predicted');
    await expect(gallery.getByTestId('heatmap-overlay').first()).toHaveAttribute('alt', new RegExp(`“${predicted}”`));
    // The opacity slider changes how strongly the heat covers the image.
    const before = Number(await gallery.getByTestId('heatmap-overlay').first().evaluate((el) => getComputedStyle(el).opacity));
    const slider = gallery.getByRole('slider').first();
    await slider.focus();
    for (let i = 0; i < 4; i++) await slider.press('ArrowLeft');
    await expect.poll(async () => Number(await gallery.getByTestId('heatmap-overlay').first().evaluate((el) => getComputedStyle(el).opacity))).toBeLessThan(before);
    // The same switch covers the uncertain-images list.
    const uncertain = page.getByTestId('uncertain-item');
    await expect(uncertain.first().getByTestId('heatmap-overlay')).toBeVisible();
  });
});
