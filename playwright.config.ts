import { defineConfig } from '@playwright/test';
import path from 'node:path';

/**
 * Browser-mode end-to-end tests: Debian's Chromium (never a downloaded browser) against `lab serve`
 * with a throwaway workspace. Electron tests live in e2e/electron.spec.ts and skip where no binary exists.
 */
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);
const TOKEN = 'e2e-token-not-secret';
// One fresh workspace per test run (set once here; worker processes inherit it).
process.env.LAB_E2E_HOME ??= path.resolve(`.lab-home/e2e-${Date.now()}`);
const HOME = process.env.LAB_E2E_HOME;
export const e2eEnv = { PORT, TOKEN, HOME };

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.LAB_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
    viewport: { width: 1280, height: 800 },
    trace: 'off',
  },
  webServer: {
    command: `node bin/lab.js serve --port ${PORT} --token ${TOKEN}`,
    url: `http://127.0.0.1:${PORT}/?token=${TOKEN}`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { LAB_HOME: HOME, LAB_BACKEND: process.env.LAB_BACKEND ?? '' },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
