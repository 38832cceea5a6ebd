/**
 * `lab serve`: the renderer over HTTP and the LabApi over a WebSocket, on loopback only, behind a random
 * token printed in the URL (like Jupyter). Without the token every HTTP and WebSocket request is refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireEvent, WireRequest, WireResponse } from '../../shared/contract';
import { dispatch } from '../../shared/dispatch';
import { toLabErrorData } from '../../shared/errors';
import type { LabService } from '../service/lab-service';
import { TOKEN_COOKIE, isAuthorized, isLoopbackHost, isSameOrigin, newToken, requestToken } from './auth';
import { readStatic } from './static-files';

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

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? newToken();
  const host = opts.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new Error(`lab serve only listens on loopback (127.0.0.1), not ${host}.`);
  const { service, rendererDir } = opts;
  let port = 0;

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
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
        const variant = url.searchParams.get('variant') === 'full' ? 'full' : 'thumb';
        const img = await service.resolveImage(decodeURIComponent(image[1] as string), Number(image[2]), variant);
        return send(res, 200, img.data, img.contentType, { 'Cache-Control': 'private, max-age=3600' });
      } catch (err) {
        return send(res, 404, toLabErrorData(err).message);
      }
    }
    const file = await readStatic(rendererDir, url.pathname);
    if (file) return send(res, 200, file.body, file.type);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      return send(res, 503, 'The renderer is not built yet: run `npm run build:renderer`, then reload.');
    }
    return send(res, 404, 'Not found.');
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err) => send(res, 500, toLabErrorData(err).message));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req, socket, head) => {
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

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (raw) => {
      let request: WireRequest;
      try {
        request = JSON.parse(String(raw)) as WireRequest;
      } catch {
        return;
      }
      void dispatch(service.handlers, request.method, request.args)
        .then((result): WireResponse => ({ id: request.id, ok: true, result }))
        .catch((err: unknown): WireResponse => ({ id: request.id, ok: false, error: toLabErrorData(err) }))
        .then((response) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
        });
    });
  });

  const unsubscribe = service.onEvent((event) => {
    const message = JSON.stringify({ event } satisfies WireEvent);
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
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
