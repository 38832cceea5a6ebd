/**
 * /openapi.json says what the server sends: real responses (answers, batches with a failed file, every kind of
 * error, with its msg) are validated against the schema the document gives for that path, method and status.
 * The schemas allow no undocumented field, so a field added to a response without its documentation fails here.
 */
import * as tf from '@tensorflow/tfjs';
import Ajv, { type ValidateFunction } from 'ajv';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourModel, PRE8 } from '../export/test-support/tiny-models';
import { startModelServer, type ModelServer } from './model-server';

await tf.setBackend('cpu');

const LABELS = ['red', 'green', 'blue'];
const TOKEN = 'a-long-enough-secret-token';

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

let model: tf.LayersModel;
let open: ModelServer;
let guarded: ModelServer;
const docs = new Map<ModelServer, { doc: OpenApi; ajv: Ajv }>();

async function loadDoc(server: ModelServer, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${server.url}/openapi.json`, { headers });
  expect(res.status).toBe(200);
  const doc = (await res.json()) as OpenApi;
  // OpenAPI 3.0 schema objects are JSON Schema plus a few keywords (description is both); refs point into the document.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema({ $id: 'api', components: doc.components });
  docs.set(server, { doc, ajv });
}

/** The schema the document gives for this response (its status, else `default`); a path it does not list answers with Error. */
function validatorFor(server: ModelServer, method: string, path: string, status: number): ValidateFunction {
  const { doc, ajv } = docs.get(server)!;
  const op = doc.paths[path]?.[method.toLowerCase()];
  const response = op ? (op.responses[String(status)] ?? op.responses.default) : { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  expect(response, `${method} ${path} → ${status} is documented`).toBeDefined();
  const schema = response!.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} → ${status} has a JSON schema`).toBeDefined();
  return ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/')) as object);
}

const seen: string[] = [];

async function call(server: ModelServer, method: string, path: string, init: { body?: NonNullable<Parameters<typeof fetch>[1]>['body']; headers?: Record<string, string> } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { method, ...init });
  const json = (await res.json()) as Record<string, unknown>;
  const validate = validatorFor(server, method, path.split('?')[0]!, res.status);
  const ok = validate(json);
  expect(ok, `${method} ${path} → ${res.status}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(json)}`).toBe(true);
  seen.push(`${method} ${path.split('?')[0]} ${res.status}`);
  return { status: res.status, json };
}

const png = (r: number, g: number, b: number, size = 24): Promise<Buffer> => sharp({ create: { width: size, height: size, channels: 3, background: { r, g, b } } }).png().toBuffer();
const form = (...files: [string, Buffer][]): FormData => {
  const f = new FormData();
  for (const [name, bytes] of files) f.append('images', new Blob([bytes], { type: 'image/png' }), name);
  return f;
};

beforeAll(async () => {
  model = colourModel();
  open = await startModelServer({ model, labels: LABELS, preprocessing: PRE8, name: 'colours', maxImageBytes: 4096, maxBatchImages: 3 });
  guarded = await startModelServer({ model, labels: LABELS, preprocessing: PRE8, name: 'colours', token: TOKEN });
  await loadDoc(open);
  await loadDoc(guarded, { authorization: `Bearer ${TOKEN}` });
});
afterAll(async () => {
  await open.close();
  await guarded.close();
  model.dispose();
});

describe('the prediction API matches its OpenAPI document', () => {
  it('answers: health, model, one image (raw and multipart, top), a batch with a failed file', async () => {
    const red = await png(230, 20, 20);
    const blue = await png(20, 20, 230);
    expect((await call(open, 'GET', '/v1/health')).status).toBe(200);
    const info = await call(open, 'GET', '/v1/model');
    expect(info.json).toMatchObject({ labels: LABELS, input: PRE8.input, maxImageBytes: 4096, maxBatchImages: 3 });
    const raw = await call(open, 'POST', '/v1/predict', { body: red, headers: { 'content-type': 'image/png' } });
    expect((raw.json.predictions as { label: string }[])[0]!.label).toBe('red');
    expect((await call(open, 'POST', '/v1/predict?top=1', { body: form(['b.png', blue]) })).json.predictions).toHaveLength(1);
    const batch = await call(open, 'POST', '/v1/predict/batch', { body: form(['r.png', red], ['broken.png', Buffer.from('not an image')], ['b.png', blue]) });
    const results = batch.json.results as { file: string; predictions?: { label: string }[]; error?: { code: string; msg?: { code: string } } }[];
    expect(results.map((r) => r.predictions?.[0]?.label ?? r.error?.code)).toEqual(['red', 'NOT_AN_IMAGE', 'blue']);
    expect(results[1]!.error?.msg?.code).toEqual(expect.any(String));
  });

  it('errors, each with code, message and msg: 400, 401, 404, 405, 413, 415', async () => {
    const red = await png(230, 20, 20);
    const errors = [
      await call(open, 'POST', '/v1/predict', { body: Buffer.from('plain text'), headers: { 'content-type': 'image/png' } }),
      await call(open, 'POST', '/v1/predict', { body: Buffer.alloc(0), headers: { 'content-type': 'image/png' } }),
      await call(open, 'POST', '/v1/predict?top=zero', { body: red, headers: { 'content-type': 'image/png' } }),
      await call(open, 'POST', '/v1/predict', { body: Buffer.alloc(5000, 1), headers: { 'content-type': 'image/png' } }),
      await call(open, 'POST', '/v1/predict/batch', { body: form(['1.png', red], ['2.png', red], ['3.png', red], ['4.png', red]) }),
      await call(open, 'POST', '/v1/predict', { body: 'hello', headers: { 'content-type': 'text/plain' } }),
      await call(open, 'POST', '/v1/predict/batch', { body: red, headers: { 'content-type': 'image/png' } }),
      await call(open, 'GET', '/v1/predict'),
      await call(open, 'GET', '/v2/nothing'),
      await call(guarded, 'GET', '/v1/health', { headers: { authorization: 'Bearer wrong' } }),
      await call(guarded, 'POST', '/v1/predict', { body: red, headers: { 'content-type': 'image/png' } }),
    ];
    expect(errors.map((e) => e.status)).toEqual([400, 400, 400, 413, 413, 415, 415, 405, 404, 401, 401]);
    for (const e of errors) expect((e.json.error as { msg?: { code: string } }).msg?.code).toMatch(/^deploy\./);
    // The server kept serving.
    expect((await call(guarded, 'POST', '/v1/predict', { body: red, headers: { 'content-type': 'image/png', authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('the schemas are strict: an undocumented or missing field fails validation', () => {
    const answer = validatorFor(open, 'POST', '/v1/predict', 200);
    const good = { predictions: [{ label: 'red', confidence: 0.9 }], model: 'colours', ms: 1.5 };
    expect(answer(good)).toBe(true);
    expect(answer({ ...good, extra: 1 })).toBe(false);
    expect(answer({ predictions: good.predictions, model: 'colours' })).toBe(false);
    expect(answer({ ...good, predictions: [{ label: 'purple', confidence: 0.9 }] })).toBe(false);
    const error = validatorFor(open, 'POST', '/v1/predict', 400);
    expect(error({ error: { code: 'X', message: 'm', msg: { code: 'deploy.x', params: { n: 1, list: ['a', { code: 'y' }] } } } })).toBe(true);
    expect(error({ error: { code: 'X', message: 'm', hint: 'undocumented' } })).toBe(false);
    expect(seen.length).toBeGreaterThan(10);
  });
});
