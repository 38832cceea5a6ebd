/**
 * The prediction API over loopback HTTP, as a client program (or curl) would use it: raw and multipart
 * images, batches, the documents, bad input answered with 4xx while the server keeps serving, the token
 * rule, and a bounded load test (no request lost, no tensors or heap left behind).
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMessage, type LabMessage } from '../../shared/messages';
import { colourModel, PRE8 } from '../export/test-support/tiny-models';
import { startModelServer, type ModelServer } from './model-server';

await tf.setBackend('cpu');

const LABELS = ['red', 'green', 'blue'];
const png = (r: number, g: number, b: number, size = 24): Promise<Buffer> => sharp({ create: { width: size, height: size, channels: 3, background: { r, g, b } } }).png().toBuffer();

let model: tf.LayersModel;
let server: ModelServer;
let red: Buffer;
let green: Buffer;
let blue: Buffer;

beforeAll(async () => {
  model = colourModel();
  server = await startModelServer({ model, labels: LABELS, preprocessing: PRE8, name: 'colours', maxImageBytes: 4096, maxBatchImages: 4 });
  [red, green, blue] = await Promise.all([png(230, 20, 20), png(20, 230, 20), png(20, 20, 230)]);
});
afterAll(async () => {
  await server.close();
  model.dispose();
});

interface Answer {
  predictions: { label: string; confidence: number }[];
  model: string;
  ms: number;
}

async function post(path: string, body: NonNullable<Parameters<typeof fetch>[1]>['body'], headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const multipart = (...files: [string, Buffer][]): FormData => {
  const form = new FormData();
  for (const [name, bytes] of files) form.append('images', new Blob([bytes], { type: 'image/png' }), name);
  return form;
};

describe('lab serve-model: the prediction API', () => {
  it('classifies raw image bytes and a multipart upload, best label first', async () => {
    const raw = await post('/v1/predict', red, { 'content-type': 'image/png' });
    expect(raw.status).toBe(200);
    const a = raw.json as unknown as Answer;
    expect(a.predictions.map((p) => p.label)).toEqual(['red', expect.any(String), expect.any(String)]);
    expect(a.predictions[0].confidence).toBeGreaterThan(0.9);
    expect(a.predictions.reduce((s, p) => s + p.confidence, 0)).toBeCloseTo(1, 4);
    expect(a.model).toBe('colours');
    expect(a.ms).toBeGreaterThan(0);
    const form = await post('/v1/predict?top=1', multipart(['leaf.png', green]));
    expect(form.status).toBe(200);
    expect((form.json as unknown as Answer).predictions).toEqual([{ label: 'green', confidence: expect.any(Number) }]);
  });

  it('classifies a batch in order, with a per-file error for a file that is not an image', async () => {
    const res = await post('/v1/predict/batch?top=1', multipart(['1.png', blue], ['2.png', red], ['notes.txt', Buffer.from('hello')], ['3.png', green]));
    expect(res.status).toBe(200);
    const results = res.json.results as { file: string; predictions?: { label: string }[]; error?: { code: string } }[];
    expect(results.map((r) => r.file)).toEqual(['1.png', '2.png', 'notes.txt', '3.png']);
    expect(results.map((r) => r.predictions?.[0].label ?? r.error?.code)).toEqual(['blue', 'red', 'NOT_AN_IMAGE', 'green']);
  });

  it('serves health, model information and an OpenAPI document', async () => {
    expect(await (await fetch(`${server.url}/v1/health`)).json()).toEqual({ status: 'ok' });
    const info = (await (await fetch(`${server.url}/v1/model`)).json()) as { labels: string[]; input: { size: number } };
    expect(info.labels).toEqual(LABELS);
    expect(info.input.size).toBe(8);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/predict', '/v1/predict/batch', '/v1/health', '/v1/model']));
  });

  it('answers bad input with a 4xx message and keeps serving', async () => {
    const notImage = await post('/v1/predict', Buffer.from('definitely not a png'), { 'content-type': 'image/png' });
    expect(notImage.status).toBe(400);
    expect((notImage.json.error as { message: string }).message).toMatch(/not an image.*JPEG, PNG/);
    // Beside the code and the English sentence, the message itself, so a client can show it in Chinese.
    const said = (notImage.json.error as { msg: LabMessage }).msg;
    expect(said.code).toBe('deploy.http.notAnImage');
    expect(formatMessage(said, 'zh-CN')).toMatch(/请求体不是实验室能读取的图像/);
    const wrongType = await post('/v1/predict', 'hello', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect((wrongType.json.error as { message: string }).message).toMatch(/image\/\*/);
    const tooLarge = await post('/v1/predict', Buffer.alloc(50_000, 7), { 'content-type': 'image/png' });
    expect(tooLarge.status).toBe(413);
    const tooMany = await post('/v1/predict/batch', multipart(['1', red], ['2', red], ['3', red], ['4', red], ['5', red]));
    expect(tooMany.status).toBe(413);
    expect((await fetch(`${server.url}/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/predict`)).status).toBe(405);
    const after = await post('/v1/predict', blue, { 'content-type': 'image/png' });
    expect((after.json as unknown as Answer).predictions[0].label).toBe('blue');
  });

  it('needs a token to bind beyond loopback, and then every request must carry it', async () => {
    await expect(startModelServer({ model, labels: LABELS, preprocessing: PRE8, name: 'x', host: '0.0.0.0' })).rejects.toThrow(/also pass --token/);
    const guarded = await startModelServer({ model, labels: LABELS, preprocessing: PRE8, name: 'x', token: 'a-long-enough-secret-token' });
    try {
      expect((await fetch(`${guarded.url}/v1/health`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/v1/health`, { headers: { authorization: 'Bearer wrong-token-of-any-length' } })).status).toBe(401);
      expect((await fetch(`${guarded.url}/v1/health`, { headers: { authorization: 'Bearer a-long-enough-secret-token' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('loses no request under concurrent load, and memory stays flat', async () => {
    const images = [red, green, blue];
    const expected = ['red', 'green', 'blue'];
    const round = async (n: number, concurrency: number): Promise<number> => {
      let next = 0;
      let correct = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) {
            const i = next++;
            const res = await post('/v1/predict?top=1', images[i % 3], { 'content-type': 'image/png' });
            if (res.status === 200 && (res.json as unknown as Answer).predictions[0].label === expected[i % 3]) correct++;
          }
        }),
      );
      return correct;
    };
    expect(await round(100, 16)).toBe(100); // warm-up
    const tensors = tf.memory().numTensors;
    const heap = process.memoryUsage().heapUsed;
    const before = server.stats().ok;
    expect(await round(600, 32)).toBe(600);
    expect(server.stats().ok - before).toBe(600);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(40 * 1024 * 1024);
  }, 120_000);
});
