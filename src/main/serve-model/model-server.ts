/**
 * The local prediction API (`lab serve-model`, the app's Serve button): HTTP on 127.0.0.1 by default.
 *   GET  /v1/health, GET /v1/model, GET /openapi.json
 *   POST /v1/predict        one image: raw bytes (image/*, application/octet-stream) or multipart
 *   POST /v1/predict/batch  several images as multipart files
 * Bad input gets a 4xx JSON error `{error: {code, message}}` and the server goes on serving: bodies are
 * size-limited while they stream, every stream has an 'error' listener, and nothing a client sends can
 * stop the process. Another address than loopback needs a token (Authorization: Bearer …).
 */
import * as tf from '@tensorflow/tfjs';
import busboy from 'busboy';
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type { Preprocessing } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { english, msg, type LabMessage } from '../../shared/messages';
import { decodeForModel } from '../datasets/preprocess';
import { fastestForward, type BatchForward } from '../predict/batch-forward';
import { InferenceQueue } from '../predict/inference-queue';
import { openApiDocument } from './openapi';

export interface ModelServerOptions {
  model: tf.LayersModel;
  labels: string[];
  preprocessing: Preprocessing;
  /** Shown in responses ("model") and in the OpenAPI title. */
  name: string;
  host?: string;
  port?: number;
  /** Required when host is not loopback; when given, every request must carry it. */
  token?: string;
  maxImageBytes?: number;
  maxBatchImages?: number;
  /** How batches are run (default: the fastest engine available for this model). */
  forward?: BatchForward;
}

export interface ModelServer {
  url: string;
  host: string;
  port: number;
  tokenRequired: boolean;
  /** Requests answered, by status class. */
  stats(): { ok: number; clientErrors: number; serverErrors: number };
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const DEFAULT_MAX_BATCH = 64;

/** An HTTP answer other than 200: the JSON body carries the code and the English sentence (the message itself rides along as `msg`, translatable by a client). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly msg: LabMessage,
  ) {
    super(english(msg));
  }
}

interface Upload {
  name: string;
  bytes: Buffer;
}

/** The body as bytes, refused (413) as soon as it passes `limit`. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) return reject(new HttpError(413, 'TOO_LARGE', msg('deploy.http.tooLargeDeclared', { bytes: declared, limit })));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'TOO_LARGE', msg('deploy.http.tooLarge', { limit })));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Files of a multipart body (at most `maxFiles`, each at most `limit` bytes). */
function readMultipart(req: http.IncomingMessage, limit: number, maxFiles: number): Promise<Upload[]> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: limit, files: maxFiles, fields: 20, parts: maxFiles + 20 } });
    } catch (err) {
      return reject(new HttpError(400, 'BAD_MULTIPART', msg('deploy.http.badMultipart', { detail: (err as Error).message })));
    }
    const files: Upload[] = [];
    let failed: HttpError | null = null;
    const fail = (e: HttpError): void => {
      failed ??= e;
    };
    bb.on('file', (field: string, stream: Readable, info: busboy.FileInfo) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new HttpError(413, 'TOO_LARGE', msg('deploy.http.fileTooLarge', { file: info.filename ?? field, limit }))));
      stream.on('error', () => fail(new HttpError(400, 'BAD_MULTIPART', msg('deploy.http.cutOff'))));
      stream.on('end', () => files.push({ name: info.filename ?? field, bytes: Buffer.concat(chunks) }));
    });
    bb.on('filesLimit', () => fail(new HttpError(413, 'TOO_MANY_FILES', msg('deploy.http.tooManyFiles', { n: maxFiles }))));
    bb.on('partsLimit', () => fail(new HttpError(413, 'TOO_MANY_PARTS', msg('deploy.http.tooManyParts'))));
    bb.on('error', (err: Error) => {
      fail(new HttpError(400, 'BAD_MULTIPART', msg('deploy.http.badMultipart', { detail: err.message })));
      req.unpipe(bb);
      req.resume();
      reject(failed);
    });
    bb.on('close', () => (failed ? reject(failed) : resolve(files)));
    req.on('error', (err) => reject(err));
    req.pipe(bb);
  });
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startModelServer(opts: ModelServerOptions): Promise<ModelServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !opts.token) {
    throw new LabError('BAD_ARGUMENT', msg('deploy.serve.needsToken', { host }), { host });
  }
  if (opts.token !== undefined && opts.token.length < 16) {
    throw new LabError('BAD_ARGUMENT', msg('deploy.serve.shortToken'));
  }
  const maxImageBytes = opts.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  const maxBatchImages = opts.maxBatchImages ?? DEFAULT_MAX_BATCH;
  // Requests still decoding will join the next batch (it waits for them up to 2 ms); with none, it runs at once.
  let decoding = 0;
  const queue = new InferenceQueue(opts.forward ?? (await fastestForward(opts.model, opts.preprocessing)), opts.preprocessing, { moreComing: () => decoding > 0 });
  const stats = { ok: 0, clientErrors: 0, serverErrors: 0 };
  const openapi = JSON.stringify(openApiDocument({ name: opts.name, labels: opts.labels, preprocessing: opts.preprocessing, maxImageBytes, maxBatchImages, tokenRequired: Boolean(opts.token) }));

  const send = (res: http.ServerResponse, status: number, body: unknown): void => {
    if (status < 400) stats.ok++;
    else if (status < 500) stats.clientErrors++;
    else stats.serverErrors++;
    if (res.headersSent || res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(text);
  };

  const classify = async (bytes: Buffer, top: number): Promise<{ label: string; confidence: number }[]> => {
    if (!bytes.length) throw new HttpError(400, 'EMPTY', msg('deploy.http.empty'));
    let probs: Promise<Float32Array>;
    decoding++;
    try {
      probs = queue.run(await decodeForModel(bytes, opts.preprocessing.input));
    } catch {
      throw new HttpError(400, 'NOT_AN_IMAGE', msg('deploy.http.notAnImage'));
    } finally {
      decoding--;
      queue.poke();
    }
    return Array.from(await probs, (confidence, i) => ({ label: opts.labels[i] ?? `class ${i}`, confidence }))
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, top);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (opts.token) {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!sameToken(given, opts.token)) throw new HttpError(401, 'UNAUTHORIZED', msg('deploy.http.unauthorized'));
    }
    const topParam = url.searchParams.get('top');
    const top = topParam === null ? opts.labels.length : Number(topParam);
    if (!Number.isInteger(top) || top < 1) throw new HttpError(400, 'BAD_ARGUMENT', msg('deploy.http.badTop', { value: String(topParam) }));
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /v1/health':
        return send(res, 200, { status: 'ok' });
      case 'GET /v1/model':
        return send(res, 200, { name: opts.name, labels: opts.labels, input: opts.preprocessing.input, normalization: opts.preprocessing.normalization, maxImageBytes, maxBatchImages });
      case 'GET /openapi.json':
        return send(res, 200, openapi);
      case 'POST /v1/predict':
      case 'POST /v1/predict/batch': {
        const started = performance.now();
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        const batch = url.pathname.endsWith('/batch');
        if (type === 'multipart/form-data') {
          const files = await readMultipart(req, maxImageBytes, batch ? maxBatchImages : 1);
          if (!files.length) throw new HttpError(400, 'EMPTY', msg('deploy.http.emptyMultipart'));
          if (!batch) return send(res, 200, { predictions: await classify(files[0].bytes, top), model: opts.name, ms: performance.now() - started });
          const results = await Promise.all(
            files.map(async (f) => {
              try {
                return { file: f.name, predictions: await classify(f.bytes, top) };
              } catch (err) {
                if (err instanceof HttpError) return { file: f.name, error: { code: err.code, message: err.message, msg: err.msg } };
                throw err;
              }
            }),
          );
          return send(res, 200, { results, model: opts.name, ms: performance.now() - started });
        }
        if (batch) throw new HttpError(415, 'UNSUPPORTED_TYPE', msg('deploy.http.batchNeedsMultipart'));
        if (!type.startsWith('image/') && type !== 'application/octet-stream') {
          req.resume();
          throw new HttpError(415, 'UNSUPPORTED_TYPE', msg('deploy.http.badType', { type: type || 'none' }));
        }
        const bytes = await readBody(req, maxImageBytes);
        return send(res, 200, { predictions: await classify(bytes, top), model: opts.name, ms: performance.now() - started });
      }
      default:
        req.resume();
        if (['/v1/health', '/v1/model', '/openapi.json', '/v1/predict', '/v1/predict/batch'].includes(url.pathname)) {
          throw new HttpError(405, 'METHOD_NOT_ALLOWED', msg('deploy.http.methodNotAllowed', { method: req.method ?? '', path: url.pathname }));
        }
        throw new HttpError(404, 'NOT_FOUND', msg('deploy.http.notFound', { path: url.pathname }));
    }
  };

  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        // Tell the client, then stop reading what is left of an oversized body.
        send(res, err.status, { error: { code: err.code, message: err.message, msg: err.msg } });
        if (err.status === 413) res.on('finish', () => req.socket.destroy());
        return;
      }
      send(res, 500, { error: { code: 'INTERNAL', message: `The model could not answer: ${(err as Error)?.message ?? String(err)}` } });
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('connection', (socket) => socket.on('error', () => socket.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new LabError('BAD_ARGUMENT', err.code === 'EADDRINUSE' ? msg('deploy.serve.portInUse', { port: opts.port ?? 0 }) : msg('deploy.serve.cannotListen', { host, port: opts.port ?? 0, detail: err.message }), { host, port: opts.port })),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  server.on('error', () => undefined);
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    host,
    port,
    tokenRequired: Boolean(opts.token),
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
