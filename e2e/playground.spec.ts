import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { openAt } from './api';

const TOKEN = 'e2e-token-not-secret';

test('the optimizer playground animates: canvas pixels change between frames after Play', async ({ page }) => {
  await openAt(page, TOKEN, '/playground');
  const canvas = page.getByTestId('playground-canvas');
  await expect(canvas).toBeVisible();
  const shot = async (): Promise<string> => createHash('sha1').update(await canvas.screenshot()).digest('hex');
  const still = await shot();
  await page.waitForTimeout(300);
  expect(await shot()).toBe(still); // nothing moves before Play
  await page.getByTestId('play-button').click();
  await page.waitForTimeout(400);
  const a = await shot();
  await page.waitForTimeout(400);
  const b = await shot();
  expect(a).not.toBe(still);
  expect(b).not.toBe(a);
});
