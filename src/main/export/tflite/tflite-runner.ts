/**
 * Runs a .tflite file in the real TensorFlow Lite interpreter: @tensorflow/tfjs-tflite (TFLite compiled
 * to WebAssembly) inside a headless Chromium driven by playwright-core. Everything is served from local
 * files through request interception; nothing is downloaded. Both pieces are optional: where Chromium or
 * the packages are missing, `openTfliteInterpreter` says why and returns null, and the export is written
 * without being run back (and says so).
 */
import { existsSync, promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Preprocessing } from '../../../shared/dto';
import { normalizationOf } from '../preprocessing-doc';
import type { Runner } from '../verify-export';

const ORIGIN = 'http://tflite.lab.invalid';

export interface TfliteInterpreter {
  /** A runner over raw 0…255 pixels for this model file (batch 1 per call inside). */
  runner(file: string, pre: Preprocessing): Promise<Runner>;
  /**
   * Classifies RGBA images with the TFLite Task Library's ImageClassifier, which takes the normalisation and the
   * labels from the file's TFLite metadata (it refuses a model without): each image's classes, best first.
   */
  classifyWithMetadata(file: string, images: { width: number; height: number; rgba: Uint8Array }[]): Promise<{ className: string; probability: number }[][]>;
  close(): Promise<void>;
}

export type Unavailable = { reason: string };

export function chromiumPath(): string | null {
  const candidates = [process.env.LAB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? null;
}

interface Assets {
  tfjs: string;
  tflite: string;
  wasmDir: string;
}

function findAssets(): Assets | null {
  const require = createRequire(import.meta.url);
  try {
    const tfliteDir = path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json'));
    const tfjsDir = path.dirname(require.resolve('@tensorflow/tfjs/package.json'));
    const assets = {
      tfjs: path.join(tfjsDir, 'dist', 'tf.min.js'),
      tflite: path.join(tfliteDir, 'dist', 'tf-tflite.min.js'),
      wasmDir: path.join(tfliteDir, 'wasm'),
    };
    return existsSync(assets.tfjs) && existsSync(assets.tflite) && existsSync(assets.wasmDir) ? assets : null;
  } catch {
    return null;
  }
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** Start Chromium with the TFLite runtime loaded, or say why it cannot be. */
export async function openTfliteInterpreter(): Promise<TfliteInterpreter | Unavailable> {
  const executablePath = chromiumPath();
  if (!executablePath) return { reason: 'no Chromium found (set LAB_CHROMIUM, or install chromium)' };
  const assets = findAssets();
  if (!assets) return { reason: '@tensorflow/tfjs-tflite is not installed' };
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    return { reason: 'playwright-core is not installed' };
  }
  const browser = await playwright.chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const models = new Map<string, Buffer>();
    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      let body: Buffer | string | undefined;
      if (url.pathname === '/') body = `<!doctype html><script src="/tf.js"></script><script src="/tflite.js"></script>`;
      else if (url.pathname === '/tf.js') body = await fsp.readFile(assets.tfjs);
      else if (url.pathname === '/tflite.js') body = await fsp.readFile(assets.tflite);
      else if (url.pathname.startsWith('/wasm/')) body = await fsp.readFile(path.join(assets.wasmDir, path.basename(url.pathname))).catch(() => undefined);
      else if (url.pathname.startsWith('/model/')) body = models.get(path.basename(url.pathname));
      if (body === undefined) return route.fulfill({ status: 404, body: 'not found' });
      const ext = url.pathname === '/' ? '.html' : path.extname(url.pathname);
      return route.fulfill({ status: 200, body, contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' });
    });
    await page.goto(`${ORIGIN}/`);
    await page.evaluate((origin) => {
      const w = globalThis as unknown as { tflite: { setWasmPath(p: string): void } };
      w.tflite.setWasmPath(`${origin}/wasm/`);
    }, ORIGIN);
    let count = 0;
    return {
      async runner(file, pre) {
        const id = `m${count++}.tflite`;
        models.set(id, await fsp.readFile(file));
        const loadError = await page.evaluate(async ({ url, id }) => {
          const w = globalThis as unknown as { tflite: { loadTFLiteModel(u: string): Promise<unknown> }; labModels?: Record<string, unknown> };
          try {
            w.labModels = w.labModels ?? {};
            w.labModels[id] = await w.tflite.loadTFLiteModel(url);
            return null;
          } catch (err) {
            return String((err as Error)?.message ?? err);
          }
        }, { url: `${ORIGIN}/model/${id}`, id });
        if (loadError) throw new Error(`the TFLite interpreter refused ${path.basename(file)}: ${loadError}`);
        const { scale, offset } = normalizationOf(pre.normalization);
        const { size, channels } = pre.input;
        const per = size * size * channels;
        return async (pixels, n) => {
          const x = new Array<number>(n * per);
          for (let i = 0; i < x.length; i++) x[i] = pixels[i] * scale + offset;
          const out = await page.evaluate(({ id, x, n, shape }) => {
            type T = { dataSync(): Float32Array; dispose(): void };
            const w = globalThis as unknown as { labModels: Record<string, { predict(t: T): T }>; tf: { tensor(v: number[], s: number[], d: string): T } };
            const m = w.labModels[id];
            const per = shape.reduce((a, b) => a * b, 1);
            const rows: number[] = [];
            for (let i = 0; i < n; i++) {
              const t = w.tf.tensor(x.slice(i * per, (i + 1) * per), [1, ...shape], 'float32');
              const y = m.predict(t);
              rows.push(...Array.from(y.dataSync()));
              t.dispose();
              y.dispose();
            }
            return rows;
          }, { id, x, n, shape: [size, size, channels] });
          return Float32Array.from(out);
        };
      },
      async classifyWithMetadata(file, images) {
        const id = `m${count++}.tflite`;
        models.set(id, await fsp.readFile(file));
        const out = await page.evaluate(
          async ({ url, images }) => {
            type Class = { className: string; probability: number };
            // Browser globals, typed here because the engine's TypeScript has no DOM library.
            const w = globalThis as unknown as {
              ImageData: new (data: Uint8ClampedArray, width: number, height: number) => object;
              tflite: { ImageClassifier: { create(u: string, o: object): Promise<{ classify(i: object): Class[]; cleanUp(): void }> } };
            };
            try {
              const classifier = await w.tflite.ImageClassifier.create(url, { maxResults: -1 });
              const answers = images.map((im) => classifier.classify(new w.ImageData(Uint8ClampedArray.from(im.rgba), im.width, im.height)).map((c) => ({ className: c.className, probability: c.probability })));
              classifier.cleanUp();
              return { answers };
            } catch (err) {
              return { error: String((err as Error)?.message ?? err) };
            }
          },
          { url: `${ORIGIN}/model/${id}`, images: images.map((im) => ({ width: im.width, height: im.height, rgba: Array.from(im.rgba) })) },
        );
        if ('error' in out) throw new Error(`the TFLite Task Library refused ${path.basename(file)}: ${out.error}`);
        return out.answers;
      },
      async close() {
        await browser.close();
      },
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
