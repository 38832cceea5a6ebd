/**
 * `lab serve`: the renderer over HTTP and the LabApi over a WebSocket, on loopback only, behind a random
 * token printed in the URL (like Jupyter). Without the token every HTTP and WebSocket request is refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireEvent, WireResponse } from '../../shared/contract';
import { dispatch } from '../../shared/dispatch';
import { LabError, toLabErrorData } from '../../shared/errors';
import type { LabService } from '../service/lab-service';
import { TOKEN_COOKIE, isAuthorized, isLoopbackHost, isSameOrigin, newToken, requestToken, weakTokenReason } from './auth';
import { imageErrorReply } from '../datasets/image-error';
import { msg } from '../../shared/messages';
import { serveExportZip } from './export-zip';
import { readStatic } from './static-files';
import { WS_MAX_PAYLOAD, parseWireRequest, reply } from './wire';

export interface ServeOptions {
  service: LabService;
  rendererDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** connect-src names this server's own WebSocket origins only (never any ws: host). */
function securityHeaders(port: number): Record<string, string> {
  const ws = ['127.0.0.1', 'localhost', '[::1]'].map((h) => `ws://${h}:${port}`).join(' ');
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ${ws}; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'`,
  };
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders(res.req.socket.localPort ?? 0), 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

/** decodeURIComponent that answers null for malformed percent-encoding (e.g. `%E0%A4%A`) instead of throwing. */
function decodePathPart(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? newToken();
  const weak = weakTokenReason(token);
  if (weak) throw new LabError('BAD_ARGUMENT', msg('serve.token.weak', { reason: weak }));
  const host = opts.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new LabError('BAD_ARGUMENT', msg('serve.loopbackOnly', { host }));
  const wantPort = opts.port ?? 0;
  if (!Number.isInteger(wantPort) || wantPort < 0 || wantPort > 65535) {
    throw new LabError('BAD_ARGUMENT', msg('serve.badPort', { port: String(opts.port) }));
  }
  const { service, rendererDir } = opts;
  let port = 0;

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, 400, 'Bad request: the address cannot be parsed.');
    }
    if (!isLoopbackHost(req.headers.host, port)) return send(res, 403, 'Forbidden: unexpected Host header.');
    if (!isAuthorized(req, url, token)) {
      return send(res, 403, 'Forbidden: open the lab with the URL printed by `lab serve` (it carries the access token).');
    }
    const cookie = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    if (requestToken(req, url).fromQuery && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      url.searchParams.delete('token');
      return send(res, 302, '', 'text/plain', { 'Set-Cookie': cookie, Location: url.pathname + url.search });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');
    const image = /^\/api\/image\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (image) {
      try {
        const datasetId = decodePathPart(image[1] as string);
        if (datasetId === null) return send(res, 400, 'Bad request: the dataset id in this image address is not valid percent-encoding.');
        const variant = url.searchParams.get('variant') === 'full' ? 'full' : 'thumb';
        const img = await service.resolveImage(datasetId, Number(image[2]), variant);
        return send(res, 200, img.data, img.contentType, { 'Cache-Control': 'private, max-age=3600' });
      } catch (err) {
        const refused = imageErrorReply(err, req.headers['accept-language']);
        return send(res, refused.status, refused.body, undefined, refused.headers);
      }
    }
    const zip = serveExportZip(url.pathname, service.ctx.ws);
    if (zip) return send(res, zip.status, zip.body, zip.type, zip.headers);
    const file = await readStatic(rendererDir, url.pathname);
    if (file) return send(res, 200, file.body, file.type);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      return send(res, 503, 'The renderer is not built yet: run `npm run build:renderer`, then reload.');
    }
    return send(res, 404, 'Not found.');
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, toLabErrorData(err).message);
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ok =
      url.pathname === '/api/ws' &&
      isLoopbackHost(req.headers.host, port) &&
      isSameOrigin(req.headers.origin, req.headers.host) &&
      isAuthorized(req, url, token);
    if (!ok) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  // A client that breaks the protocol (bad frames, oversized payloads, invalid UTF-8) loses its own socket only.
  wss.on('error', () => undefined);
  wss.on('wsClientError', (_err, socket) => socket.destroy());
  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw, isBinary) => {
      const parsed = parseWireRequest(raw, isBinary);
      if ('error' in parsed) {
        reply(ws, { id: parsed.id, ok: false, error: parsed.error });
        return;
      }
      const request = parsed.request;
      let pending: Promise<unknown>;
      try {
        pending = dispatch(service.handlers, request.method, request.args);
      } catch (err) {
        pending = Promise.reject(err);
      }
      void pending
        .then((result): WireResponse => ({ id: request.id, ok: true, result }))
        .catch((err: unknown): WireResponse => ({ id: request.id, ok: false, error: toLabErrorData(err) }))
        .then((response) => reply(ws, response));
    });
  });

  const unsubscribe = service.onEvent((event) => {
    const message = JSON.stringify({ event } satisfies WireEvent);
    for (const client of wss.clients) {
      if (client.readyState !== client.OPEN) continue;
      try {
        client.send(message);
      } catch {
        client.terminate();
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new LabError('BAD_ARGUMENT', msg('serve.portInUse', { port: wantPort, host })));
      else if (err.code === 'EACCES') reject(new LabError('BAD_ARGUMENT', msg('serve.portNeedsAdmin', { port: wantPort })));
      else reject(err);
    });
    server.listen(wantPort, host, () => resolve());
  });
  server.on('error', () => undefined);
  port = (server.address() as AddressInfo).port;
  const shownHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
