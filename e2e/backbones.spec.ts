import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openAt } from './api';

const TOKEN = 'e2e-token-not-secret';
const HOME = process.env.LAB_E2E_HOME!;

test.describe('backbones on demand in the Train view', () => {
  test.beforeAll(() => {
    // A catalogue entry of the workspace whose server cannot be reached: Download must say so (no test goes online).
    mkdirSync(path.join(HOME, 'backbones'), { recursive: true });
    writeFileSync(
      path.join(HOME, 'backbones', 'catalog.json'),
      JSON.stringify({ entries: [{ id: 'unreachable-mnv2', name: { en: 'Unreachable test model', 'zh-CN': '无法访问的测试模型' }, url: 'http://127.0.0.1:9/models/model.json', approxBytes: 2000000 }] }),
    );
  });

  test('the backbone card offers the catalogue with download states; Download while offline shows the engine\'s message', async ({ page }) => {
    test.setTimeout(60_000);
    // Naive UI's select options are plain elements (no ARIA option role).
    const option = (text: string | RegExp) => page.locator('.n-base-select-option', { hasText: text }).first();
    await openAt(page, TOKEN, '/train');
    await page.getByTestId('model-preset').click();
    await option('Transfer learning (MobileNetV2)').click();
    const card = page.getByTestId('train-backbone');
    await expect(card).toBeVisible();
    await card.getByTestId('train-backbone-choice').click();
    await expect(option(/MobileNet v1 α0\.25, 224 px .* not downloaded/)).toBeVisible();
    await expect(option(/MobileNetV2 α0\.35 \(bundled, works offline\) · bundled/)).toBeVisible();
    await option(/Unreachable test model/).click();
    await expect(card.getByTestId('train-backbone-input').locator('input')).toHaveValue('catalog:unreachable-mnv2');
    await expect(card).toContainText('about 1.9 MB from http://127.0.0.1:9/models/model.json');
    await card.getByTestId('train-backbone-download').click();
    await expect(card.getByTestId('train-backbone-error')).toContainText('could not be downloaded from http://127.0.0.1:9/models/model.json');
    await expect(card.getByTestId('train-backbone-error')).toContainText('The bundled MobileNetV2 works offline');
    // Nothing came, so nothing is "partly downloaded": Download is offered again.
    await expect(card.getByTestId('train-backbone-download')).toHaveText('Download');
  });
});
