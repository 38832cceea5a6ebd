/**
 * From an empty lab to a model that recognises two objects held up to a camera, without touching a file: Chromium's
 * fake camera plays one known video per browser launch (the file is fixed per launch), frames of each are captured
 * into a class, the capture becomes a dataset, a model trains on it from the UI, and live prediction names the class
 * of each video.
 */
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openAt, withLab } from './api';
import { E2E_DATA } from './fixtures';
import { barRight, discLeft, writeY4m } from './y4m';

const TOKEN = 'e2e-token-not-secret';
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);
const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const FRAMES_PER_CLASS = 8;

const dir = path.join(E2E_DATA, 'camera');
mkdirSync(dir, { recursive: true });
const VIDEOS = {
  'red disc': writeY4m(path.join(dir, 'red-disc.y4m'), { shape: discLeft, colour: [220, 40, 40], background: [60, 60, 60] }),
  'blue bar': writeY4m(path.join(dir, 'blue-bar.y4m'), { shape: barRight, colour: [40, 80, 230], background: [60, 60, 60] }),
} as const;
type ClassName = keyof typeof VIDEOS;

/** One browser launch per video: Chromium reads the fake camera's file once, at launch. */
async function withCamera<T>(video: string, fn: (page: Page) => Promise<T>, opts: { autoAllow?: boolean } = {}): Promise<T> {
  const browser: Browser = await chromium.launch({
    executablePath: process.env.LAB_CHROMIUM ?? '/usr/bin/chromium',
    args: [...BASE_ARGS, '--use-fake-device-for-media-stream', ...(opts.autoAllow === false ? [] : ['--use-fake-ui-for-media-stream']), `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const context = await browser.newContext({ baseURL: `http://127.0.0.1:${PORT}`, viewport: { width: 1280, height: 900 } });
    return await fn(await context.newPage());
  } finally {
    await browser.close();
  }
}

async function openCapture(page: Page): Promise<void> {
  await openAt(page, TOKEN, '/capture');
  await expect(page.getByTestId('capture-video')).toHaveAttribute('data-live', 'true');
  // The camera really delivers frames (of the file's size) before anything is recorded.
  await expect.poll(() => page.getByTestId('capture-video').evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBe(160);
}

async function chooseClass(page: Page, name: string): Promise<void> {
  const input = page.getByTestId('capture-class').locator('input');
  await input.fill(name);
  await input.press('Enter'); // leaves the field, so Space records instead of typing
}

const chip = (page: Page, name: string) => page.locator(`[data-testid="capture-class-chip"][data-class="${name}"]`);
async function framesOf(page: Page, name: string): Promise<number> {
  return Number((await chip(page, name).getAttribute('data-count').catch(() => '0')) ?? 0);
}

test('without a camera the capture page says so and what to do, in English and Chinese', async ({ page }) => {
  // Playwright's own browser has no camera at all.
  await openAt(page, TOKEN, '/capture');
  const problem = page.getByTestId('capture-problem');
  await expect(problem).toHaveAttribute('data-problem', 'none');
  await expect(problem).toContainText('Connect a camera');
  await expect(page.getByTestId('capture-record')).toBeDisabled();
  await withLab(PORT, TOKEN, (call) => call('settings.set', { locale: 'zh-CN' }));
  try {
    await page.reload();
    await expect(page.getByTestId('capture-problem')).toContainText('未找到摄像头');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('从摄像头采集');
  } finally {
    await withLab(PORT, TOKEN, (call) => call('settings.set', { locale: 'auto' }));
  }
});

test('with permission refused the page says how to allow the camera, and Try again starts it once allowed', async () => {
  // A camera, but no automatic yes: Playwright refuses the permission until it is granted.
  await withCamera(VIDEOS['red disc'], async (page) => {
    await openAt(page, TOKEN, '/capture');
    const problem = page.getByTestId('capture-problem');
    await expect(problem).toHaveAttribute('data-problem', 'denied');
    await expect(problem).toContainText('Allow the camera for this page');
    await page.context().grantPermissions(['camera']);
    await page.getByTestId('capture-retry').click();
    await expect(page.getByTestId('capture-video')).toHaveAttribute('data-live', 'true');
    await expect(problem).toHaveCount(0);
  }, { autoAllow: false });
});

test.describe.serial('camera capture → train → live prediction', () => {
  let datasetId = '';
  let runId = '';

  test('captures one class per video: by holding the button, then by holding Space', async () => {
    const started = Date.now();
    await withCamera(VIDEOS['red disc'], async (page) => {
      await openCapture(page);
      await chooseClass(page, 'red disc');
      const record = page.getByTestId('capture-record');
      await record.hover();
      await page.mouse.down();
      await expect(record).toHaveAttribute('data-phase', 'recording');
      await expect.poll(() => framesOf(page, 'red disc'), { timeout: 20_000 }).toBeGreaterThanOrEqual(FRAMES_PER_CLASS);
      await page.mouse.up();
      await expect(record).toHaveAttribute('data-phase', 'idle');
      await expect(page.locator('[data-testid="capture-frame"][data-class="red disc"]').first()).toBeVisible();
      // One class is not a dataset yet, and the page says so.
      await expect(page.getByTestId('capture-dataset')).toContainText('at least two classes');

      // A frame is deleted from the grid and from the count (the lab deletes only what it wrote).
      const before = await framesOf(page, 'red disc');
      await page.getByTestId('capture-frame-delete').first().click();
      await expect.poll(() => framesOf(page, 'red disc')).toBe(before - 1);
    });

    await withCamera(VIDEOS['blue bar'], async (page) => {
      await openCapture(page);
      // The capture continues where the other browser left it.
      await expect(chip(page, 'red disc')).toBeVisible();
      await chooseClass(page, 'blue bar');
      await page.keyboard.down('Space');
      await expect(page.getByTestId('capture-record')).toHaveAttribute('data-phase', 'recording');
      await expect.poll(() => framesOf(page, 'blue bar'), { timeout: 20_000 }).toBeGreaterThanOrEqual(FRAMES_PER_CLASS);
      await page.keyboard.up('Space');
      // Two classes: the capture is imported as a dataset on its own after the recording.
      const ready = page.getByTestId('capture-dataset-ready');
      await expect(ready).toBeVisible();
      datasetId = (await ready.getAttribute('data-dataset-id')) ?? '';
      expect(datasetId).not.toBe('');

      // Train from the capture page: the auto choice for these frames, a few epochs.
      await page.getByTestId('capture-train').click();
      await expect(page.getByTestId('train-auto-choice')).toBeVisible();
      const epochs = page.getByTestId('epochs-input');
      await epochs.fill('8');
      await epochs.press('Tab');
      await page.getByTestId('train-start').click();
      await page.getByTestId('open-run').click();
      await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
      runId = page.url().split('/runs/')[1]?.split(/[?#]/)[0] ?? '';
    });

    const summary = await withLab(PORT, TOKEN, (call) => call('datasets.get', datasetId));
    const counts = Object.fromEntries(summary.classes.map((c) => [c.name, c.counts.train + c.counts.val + c.counts.test]));
    expect(counts['red disc']).toBeGreaterThanOrEqual(FRAMES_PER_CLASS - 1);
    expect(counts['blue bar']).toBeGreaterThanOrEqual(FRAMES_PER_CLASS);
    expect(runId).not.toBe('');
    console.log(`capture + train: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  for (const expected of Object.keys(VIDEOS) as ClassName[]) {
    test(`live prediction names the class of the ${expected} video`, async () => {
      test.skip(!runId, 'needs the run trained by the previous test');
      const started = Date.now();
      const run = await withLab(PORT, TOKEN, (call) => call('runs.get', runId));
      await withCamera(VIDEOS[expected], async (page) => {
        await openAt(page, TOKEN, '/live');
        await page.getByTestId('live-model').click();
        await page.locator('.n-base-select-option', { hasText: run.name }).first().click();
        const top1 = page.getByTestId('live-top1');
        // Every prediction over a couple of seconds names this video's class, not only the first one.
        await expect(top1).toHaveAttribute('data-label', expected, { timeout: 60_000 });
        await expect.poll(async () => Number(await page.getByTestId('live-rate').getAttribute('data-rate')), { timeout: 30_000 }).toBeGreaterThan(0);
        const seen = new Set<string>();
        for (let i = 0; i < 10; i++) {
          seen.add((await top1.getAttribute('data-label')) ?? '');
          await page.waitForTimeout(200);
        }
        expect([...seen]).toEqual([expected]);
        const rate = await page.getByTestId('live-rate').getAttribute('data-rate');
        const latency = await page.getByTestId('live-latency').getAttribute('data-ms').catch(() => null);
        console.log(`live ${expected}: ${rate} predictions/s, latency ${latency} ms, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      });
    });
  }
});
