import WebSocket from 'ws';
import type { LabArgs, LabCallName, LabResults } from '../src/shared/contract';

/** A LabApi client for test setup: the same WebSocket contract the browser uses, with the server's token. */
export async function withLab<T>(port: number, token: string, fn: (call: <K extends LabCallName>(name: K, ...args: LabArgs<K>) => Promise<LabResults[K]>) => Promise<T>): Promise<T> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { id?: number; ok?: boolean; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p?.resolve(msg.result);
    else p?.reject(new Error(msg.error?.message ?? 'call failed'));
  });
  const call = <K extends LabCallName>(name: K, ...args: LabArgs<K>): Promise<LabResults[K]> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method: name, args }));
    });
  try {
    return await fn(call);
  } finally {
    ws.close();
  }
}

/**
 * Open the app on a route: the first visit trades the token for the cookie, then a fresh load at the route's
 * hash (a same-document hash change can race the router's start-up).
 */
export async function openAt(page: import('@playwright/test').Page, token: string, route: string): Promise<void> {
  await page.goto(`/?token=${token}`);
  await page.goto('about:blank');
  await page.goto(`/#${route}`);
}
