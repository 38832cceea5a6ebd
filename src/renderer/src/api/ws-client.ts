/**
 * The LabBridge over WebSocket, for the renderer served by `lab serve` in a browser tab.
 * Request/response by id with a pending map, events pushed by the server, reconnect with backoff.
 */
import type { LabBridge } from '../../../shared/bridge';
import type { LabArgs, LabCallName, LabResults, WireEvent, WireRequest, WireResponse } from '../../../shared/contract';
import { LabError, isLabErrorData } from '../../../shared/errors';
import type { LabEvent } from '../../../shared/events';
import { browserImageUrl } from './image-url';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The part of the DOM WebSocket the client uses (the `ws` package's client fits too, for tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface WsBridgeOptions {
  url: string;
  createSocket?: SocketFactory;
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a call made while disconnected waits for the connection before it fails. */
  connectTimeoutMs?: number;
}

export interface WsBridge extends LabBridge {
  readonly state: ConnectionState;
  onStateChange(listener: (state: ConnectionState, previous: ConnectionState) => void): () => void;
  close(): void;
}

const OPEN = 1;

/** ws(s)://<host>/api/ws, passing the page's ?token= along (the HttpOnly cookie normally suffices). */
export function wsUrlFromLocation(loc: { protocol: string; host: string; search: string }): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(loc.search).get('token');
  return `${scheme}//${loc.host}/api/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: LabError): void;
}

export function createWsBridge(options: WsBridgeOptions): WsBridge {
  const createSocket: SocketFactory =
    options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const connectTimeout = options.connectTimeoutMs ?? 15_000;

  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closedByUser = false;
  const pending = new Map<number, Pending>();
  /** Calls made while disconnected: sent once the socket opens. */
  const queue: { request: WireRequest; timer: ReturnType<typeof setTimeout> }[] = [];
  const eventListeners = new Set<(event: LabEvent) => void>();
  const stateListeners = new Set<(s: ConnectionState, prev: ConnectionState) => void>();

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    const prev = state;
    state = next;
    for (const l of [...stateListeners]) l(next, prev);
  };

  const unreachable = (): LabError =>
    new LabError(
      'INTERNAL',
      `Cannot reach the lab server at ${options.url.replace(/\?.*$/, '')}. Check that \`lab serve\` is still running, and open the page with the link it printed (it carries the access token).`,
    );

  const send = (request: WireRequest): void => {
    socket?.send(JSON.stringify(request));
  };

  const flushQueue = (): void => {
    while (queue.length > 0) {
      const item = queue.shift()!;
      clearTimeout(item.timer);
      send(item.request);
    }
  };

  const onMessage = (raw: unknown): void => {
    if (typeof raw !== 'string') return;
    let msg: WireResponse | WireEvent;
    try {
      msg = JSON.parse(raw) as WireResponse | WireEvent;
    } catch {
      return; // not ours; a malformed frame must not break the connection
    }
    if ('event' in msg) {
      for (const l of [...eventListeners]) l(msg.event);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(isLabErrorData(msg.error) ? LabError.from(msg.error) : new LabError('INTERNAL', 'The lab server answered with an unreadable error.'));
  };

  const scheduleReconnect = (): void => {
    if (closedByUser || retryTimer) return;
    const delay = Math.min(maxDelay, baseDelay * 2 ** attempt);
    attempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  function connect(): void {
    let s: SocketLike;
    try {
      s = createSocket(options.url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    s.onopen = () => {
      attempt = 0;
      setState('open');
      flushQueue();
    };
    s.onmessage = (ev) => onMessage(ev.data);
    s.onerror = () => {
      /* onclose follows and handles it */
    };
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      // Requests already sent cannot be answered by a new connection: fail them now, say why.
      const lost = new LabError(
        'INTERNAL',
        'The connection to the lab server was lost before it answered. The call may or may not have taken effect; refresh to see the current state.',
      );
      for (const [, p] of pending) p.reject(lost);
      pending.clear();
      if (closedByUser) {
        setState('closed');
        return;
      }
      setState('reconnecting');
      scheduleReconnect();
    };
  }

  connect();

  return {
    shell: 'browser',
    get state() {
      return state;
    },
    call<K extends LabCallName>(name: K, ...args: LabArgs<K>): Promise<LabResults[K]> {
      if (closedByUser) return Promise.reject(new LabError('INTERNAL', 'The connection to the lab server was closed.'));
      const request: WireRequest = { id: nextId++, method: name, args: args as unknown[] };
      return new Promise<LabResults[K]>((resolve, reject) => {
        pending.set(request.id, { resolve: resolve as (v: unknown) => void, reject });
        if (socket && socket.readyState === OPEN) {
          send(request);
          return;
        }
        const timer = setTimeout(() => {
          const i = queue.findIndex((q) => q.request.id === request.id);
          if (i >= 0) queue.splice(i, 1);
          pending.delete(request.id);
          reject(unreachable());
        }, connectTimeout);
        queue.push({ request, timer });
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    imageUrl: browserImageUrl,
    close() {
      closedByUser = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      for (const q of queue.splice(0)) {
        clearTimeout(q.timer);
        pending.get(q.request.id)?.reject(new LabError('INTERNAL', 'The connection to the lab server was closed.'));
        pending.delete(q.request.id);
      }
      if (socket) socket.close(1000, 'closed by the page');
      else setState('closed');
    },
  };
}
