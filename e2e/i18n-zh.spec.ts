import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunDetail } from '../src/shared/dto';
import { openAt, withLab } from './api';
import { E2E_DATA, SHAPES_DIR } from './fixtures';

/**
 * The Chinese UI is Chinese: every view, with data (the bundled sample, a messy folder with bad files, a
 * finished run and a finished tuning step), shows no run of Latin-script words except names, paths, numbers,
 * units and the technical names listed below. Screenshots of Home, Dataset (messy), Run and Tuning go to
 * LAB_SCREENS (default /tmp/team/screens) for the closing note.
 */
const TOKEN = 'e2e-token-not-secret';
const PORT = Number(process.env.LAB_E2E_PORT ?? 47831);
const SCREENS = process.env.LAB_SCREENS ?? '/tmp/team/screens';
const SAMPLE = path.resolve('resources/sample');
const MESSY = path.join(E2E_DATA, 'messy');

/**
 * Words that may stay Latin in a Chinese UI, and why:
 * - format and file-type names a user types or sees in file names (PNG, ONNX, TFLite, CSV…);
 * - product and library names (TensorFlow.js, Teachable Machine, oneDNN, WebAssembly, Node.js, sharp, Chromium, PyTorch,
 *   DistributedDataParallel, NCCL…);
 * - names of algorithms and layers as the literature writes them in Chinese texts too (Adam, SGD, RMSprop, ReLU,
 *   Dropout, BatchNorm, softmax, CNN, MLP, ResNet, MobileNetV2);
 * - units and symbols (px, MB, MiB, GiB, img/s, ms, s, x, C, ln, NaN, Inf, top-1, L2);
 * - keyboard keys (Ctrl, Enter, Esc, Shift, Tab);
 * - identifiers quoted from code or papers (SeedBatchNorm, rate, Householder QR), shell commands (npm install),
 *   HTTP methods (POST);
 * - axis-range notation (x min, y max), backend/platform identifiers (wasm, cpu-fast, linux), and the language
 *   picker's "English" (a language is named in its own language).
 * Class, dataset, run and file names come from the data and are added per test below.
 */
const ALLOWED = new Set(
  [
    // formats
    'png', 'jpeg', 'jpg', 'webp', 'gif', 'tiff', 'avif', 'bmp', 'heif', 'heic', 'svg', 'csv', 'tsv', 'json', 'html', 'zip', 'onnx', 'tflite', 'rgb', 'rgba', 'int8', 'uint8', 'float16', 'float32', 'nhwc',
    // products and libraries
    'tensorflow', 'tensorflow.js', 'tfjs', 'teachable', 'machine', 'onednn', 'webassembly', 'wasm', 'simd', 'xnnpack', 'node.js', 'node', 'sharp', 'electron', 'chromium', 'cuda', 'cudnn', 'cpu', 'gpu', 'javascript', 'typescript', 'python', 'pytorch', 'distributeddataparallel', 'gloo', 'nccl', 'torchrun', 'fashion-mnist', 'mnist', 'echarts', 'vue', 'http', 'api', 'url', 'ui', 'cli', 'id',
    // algorithms, layers, optimizers
    'adam', 'sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'relu', 'elu', 'selu', 'tanh', 'sigmoid', 'softmax', 'dropout', 'batchnorm', 'batch', 'norm', 'cnn', 'mlp', 'resnet', 'mobilenetv2', 'mobilenet', 'glorot', 'he', 'xavier', 'lttb', 'cosine', 'ema', 'l1', 'l2', 'mse', 'logits', 'one-hot', 'smoothgrad', 'grad-cam', 'cutout', 'mixup', 'xnn',
    // units and symbols
    'px', 'kb', 'mb', 'mib', 'gib', 'kib', 'gb', 'img', 'ms', 's', 'x', 'y', 'c', 'ln', 'nan', 'inf', 'infinity', 'top', 'lr', 'k', 'n', 'p', 'h', 'w', 'e', 'ok', 'fps', 'hz', 'iou', 'f1', 'auc',
    // keys
    'ctrl', 'enter', 'esc', 'shift', 'tab', 'alt', 'cmd',
    // axis-range notation (x min … y max), backend and platform identifiers shown beside their translated labels
    'english', 'min', 'max', 'tensorflow-gpu', 'cpu-fast', 'linux', 'darwin', 'win32', 'x64', 'arm64',
    // identifiers the concept pages quote from the code and the literature (class and parameter names, algorithms)
    'seedbatchnorm', 'batchnormalization', 'bn', 'rate', 'householder', 'qr', 'float64', 'resnet-152', 'libvips',
    // shell commands and HTTP methods quoted in instructions
    'npm', 'install', 'rebuild', 'post', 'get',
  ].map((w) => w.toLowerCase()),
);

/** Runs of Latin words in the visible text of the page, skipping text in code/mono elements (paths, ids). */
async function latinRuns(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim()) continue;
      if (el.closest('script, style, code, pre.mono, .mono, [data-verbatim], svg title')) continue;
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      for (const m of n.textContent.matchAll(/(?<![0-9A-Za-z._-])[A-Za-z][A-Za-z0-9'’.+/_-]*(?:[ \t]+[A-Za-z][A-Za-z0-9'’.+/_-]*)*/g)) out.push(m[0]);
    }
    // Attributes people read too: placeholders, titles, aria labels of visible controls.
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[placeholder], [aria-label], [title]'))) {
      // naive-ui's spinner carries a hard-coded aria-label="loading" that its locale does not cover.
      if (!el.checkVisibility() || el.closest('code, .mono, [data-verbatim], .n-base-loading')) continue;
      for (const a of ['placeholder', 'aria-label', 'title']) {
        const v = el.getAttribute(a);
        if (v) for (const m of v.matchAll(/(?<![0-9A-Za-z._-])[A-Za-z][A-Za-z0-9'’.+/_-]*(?:[ \t]+[A-Za-z][A-Za-z0-9'’.+/_-]*)*/g)) out.push(m[0]);
      }
    }
    return out;
  });
}

function isAllowed(run: string, names: Set<string>): boolean {
  const words = run.split(/[ \t]+/);
  return words.every((raw) => {
    const w = raw.replace(/[.,;:!?'’)]+$/, '').toLowerCase();
    if (!w) return true;
    if (names.has(w) || ALLOWED.has(w)) return true;
    if (w.includes('/') || w.includes('\\')) return true; // a path, a unit like img/s, a size like 16/16
    if (/\.(png|jpe?g|webp|gif|tiff?|avif|bmp|csv|json|html|txt|onnx|tflite|bin|zip)$/.test(w)) return true; // a file name
    if (/^[a-z]?\d/.test(w) || /^\d/.test(w)) return true; // 16x16, v2, 1e-3
    if (/^[a-z]$/.test(w) || /^top-\d+$/.test(w)) return true; // a math variable (x, m, B), top-1
    if (/^[a-z0-9]{6,}-[a-z0-9]{4,}/.test(w) || /^[0-9a-f]{8,}$/.test(w)) return true; // run and dataset ids
    return false;
  });
}

async function waitIdle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(400);
}

/** A folder with the problems users have: empty, not an image, a duplicate, a label conflict, a wrong extension, an empty class. */
function ensureMessyFolder(): string {
  if (existsSync(path.join(MESSY, 'circle', 'notes.png'))) return MESSY;
  for (const cls of ['circle', 'square']) {
    mkdirSync(path.join(MESSY, cls), { recursive: true });
    for (const f of readdirSync(path.join(SHAPES_DIR, cls)).slice(0, 8)) copyFileSync(path.join(SHAPES_DIR, cls, f), path.join(MESSY, cls, f));
  }
  writeFileSync(path.join(MESSY, 'circle', 'empty.png'), '');
  writeFileSync(path.join(MESSY, 'circle', 'notes.png'), 'these are notes, not a picture');
  copyFileSync(path.join(SHAPES_DIR, 'square', '0.png'), path.join(MESSY, 'square', 'copy of 0.png'));
  copyFileSync(path.join(SHAPES_DIR, 'square', '1.png'), path.join(MESSY, 'circle', 'odd one.png'));
  copyFileSync(path.join(SHAPES_DIR, 'square', '2.png'), path.join(MESSY, 'square', 'looks like.jpg'));
  mkdirSync(path.join(MESSY, 'empty-class'), { recursive: true });
  return MESSY;
}

test.describe.serial('the Chinese UI', () => {
  let run: RunDetail;
  let messyId: string;
  let sampleId: string;
  let tuneId: string;
  const names = new Set<string>();

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    const messy = ensureMessyFolder();
    // File and folder names come from the user's disk: names, whatever language they are in.
    for (const entry of readdirSync(messy, { recursive: true }) as string[]) {
      for (const part of path.basename(entry).toLowerCase().split(/\s+/)) names.add(part);
    }
    ({ run, messyId, sampleId, tuneId } = await withLab(PORT, TOKEN, async (call) => {
      const sample = await call('datasets.import', { paths: [SAMPLE] });
      const m = await call('datasets.import', { paths: [messy], name: 'messy' });
      const shapes = await call('datasets.import', { paths: [SHAPES_DIR] });
      for (const d of [sample, m, shapes]) {
        names.add(d.name.toLowerCase());
        for (const c of d.classes) for (const part of c.name.toLowerCase().split(/\s+/)) names.add(part);
      }
      const started = await call('runs.start', { datasetId: shapes.id, name: 'shapes zh', epochs: 2, batchSize: 8, input: { size: 16, channels: 3 } });
      const tune = await call('tuning.start', {
        config: { datasetId: shapes.id, epochs: 2, batchSize: 8, input: { size: 16, channels: 3 } },
        steps: [1, 2],
        budgets: { initialBatches: 1, overfitPerClass: 2, overfitMaxEpochs: 4 },
      });
      let detail: RunDetail;
      for (;;) {
        detail = await call('runs.get', started.id);
        if (['completed', 'failed', 'stopped'].includes(detail.status)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      for (;;) {
        const t = await call('tuning.get', tune.id);
        if (t.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      // Run names are names (the user can rename them), including the tuning steps' runs.
      for (const r of await call('runs.list')) for (const part of r.name.toLowerCase().split(/\s+/)) names.add(part);
      // Other specs share this lab home: their datasets, camera captures and classes are the user's names too.
      const named = [...(await call('datasets.list')), ...(await call('capture.list'))];
      for (const d of named) {
        for (const part of d.name.toLowerCase().split(/\s+/)) names.add(part);
        for (const c of d.classes) for (const part of c.name.toLowerCase().split(/\s+/)) names.add(part);
      }
      return { run: detail, messyId: m.id, sampleId: sample.id, tuneId: tune.id };
    }));
    for (const part of run.name.toLowerCase().split(/\s+/)) names.add(part);
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    await withLab(PORT, TOKEN, (call) => call('settings.set', { locale: 'zh-CN', theme: 'light' }));
    mkdirSync(SCREENS, { recursive: true });
  });

  test.afterAll(async () => {
    await withLab(PORT, TOKEN, (call) => call('settings.set', { locale: 'auto' }));
  });

  test('every view shows no English words beyond names, paths, numbers and units', async ({ page }) => {
    test.setTimeout(300_000);
    const views: { name: string; route: string; ready: string; shot?: string; focus?: string; then?: () => Promise<void> }[] = [
      { name: 'Home', route: '/', ready: 'h1', shot: 'home' },
      { name: 'Dataset (sample)', route: `/dataset/${sampleId}`, ready: '[data-testid="thumb"]' },
      { name: 'Dataset (messy)', route: `/dataset/${messyId}`, ready: '[data-testid="dataset-summary"]', shot: 'dataset-messy', focus: '[data-testid="dataset-warnings"]' },
      { name: 'Augment', route: '/augment', ready: 'h1' },
      { name: 'Train', route: '/train', ready: 'h1' },
      { name: 'Runs', route: '/runs', ready: '[data-testid="run-row"]' },
      { name: 'Run', route: `/runs/${run.id}`, ready: '[data-testid="run-title"]', shot: 'run' },
      { name: 'Predict', route: '/predict', ready: 'h1' },
      { name: 'Capture', route: '/capture', ready: 'h1' },
      { name: 'Live', route: '/live', ready: 'h1' },
      {
        name: 'Tuning',
        route: '/tune',
        ready: 'h1',
        shot: 'tuning',
        focus: '[data-testid="tune-step-1"]',
        then: async () => {
          await page.locator('[data-testid="tune-previous"]').click();
          await page.locator('.n-base-select-option').first().click();
          await expect(page.locator('[data-testid="tune-verdict-2"]')).toBeVisible();
        },
      },
      { name: 'Compare', route: '/compare', ready: 'h1' },
      { name: 'Playground', route: '/playground', ready: 'h1' },
      { name: 'Concepts', route: '/concepts', ready: 'h1' },
      { name: 'Settings', route: '/settings', ready: '[data-testid="engine-panel"]' },
    ];
    const leaks: Record<string, string[]> = {};
    for (const v of views) {
      await openAt(page, TOKEN, v.route);
      await expect(page.locator(v.ready).first()).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', /zh/);
      if (v.then) await v.then();
      await waitIdle(page);
      const bad = [...new Set((await latinRuns(page)).filter((r) => !isAllowed(r, names)))];
      if (bad.length) leaks[v.name] = bad;
      if (v.focus) await page.locator(v.focus).first().evaluate((el) => el.scrollIntoView({ block: 'start' }));
      if (v.shot) await page.screenshot({ path: path.join(SCREENS, `zh-${v.shot}.png`) });
    }
    const report = Object.entries(leaks).map(([view, words]) => `${view}: ${words.map((w) => JSON.stringify(w)).join(', ')}`).join('\n');
    writeFileSync(path.join(SCREENS, 'zh-latin-leaks.txt'), report || 'none\n');
    expect(leaks, `English left in the Chinese UI:\n${report}`).toEqual({});
    void tuneId;
  });
});
