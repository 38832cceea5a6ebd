import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forkLauncher } from './fork-launcher';
import type { WorkerMessage } from './protocol';
import { crashReason, LineTail } from './supervisor';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const train = { type: 'train' as const, runId: 'r1', workspace: '/nowhere', config: {} as never, resume: false };

function exitOf(handle: ReturnType<ReturnType<typeof forkLauncher>>) {
  return new Promise<{ code: number | null; signal: string | null; reason: string }>((resolve) => handle.onExit((code, signal, reason) => resolve({ code, signal, reason })));
}

describe('crash reason', () => {
  it('names the exit code or the signal, and quotes the last stderr lines', () => {
    expect(crashReason(3, null, [])).toBe('exited with code 3');
    expect(crashReason(null, 'SIGKILL', ['a', 'b'])).toBe('was killed (SIGKILL); its last output was:\na\nb');
    const tail = new LineTail(2);
    tail.push('one\ntw');
    tail.push('o\n\nthree');
    expect(tail.text).toEqual(['two', 'three']);
  });

  it('a worker that crashes mid-job: the reason has its exit code and its last stderr lines', async () => {
    const handle = forkLauncher(fixture('crashing-worker.mjs'))();
    const ended = exitOf(handle);
    handle.send(train);
    const { code, reason } = await ended;
    expect(code).toBe(3);
    expect(reason).toMatch(/^exited with code 3; its last output was:\n/);
    expect(reason).toContain('Error: out of memory while allocating 4 GiB');
    expect(reason).toContain('at conv2d (kernel.cc:42)');
  });
});

describe('drain and wait-then-kill', () => {
  it('a worker that acknowledges the drain exits by itself, without a signal', async () => {
    const handle = forkLauncher(fixture('polite-worker.mjs'), { drainTimeoutMs: 5000, killTimeoutMs: 5000 })();
    const seen: WorkerMessage['type'][] = [];
    handle.onMessage((m) => seen.push(m.type));
    const ended = exitOf(handle);
    handle.send(train); // answers `done`, after which the supervisor drains it
    const { code, signal } = await ended;
    expect(seen).toEqual(['done', 'drained']);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('a worker that ignores the drain and SIGTERM is killed with SIGKILL after the timeouts', async () => {
    const handle = forkLauncher(fixture('stubborn-worker.mjs'), { drainTimeoutMs: 200, killTimeoutMs: 200 })();
    await new Promise<void>((resolve) => handle.onMessage((m) => m.type === 'ready' && resolve()));
    const ended = exitOf(handle);
    const t0 = Date.now();
    await handle.drain();
    const { signal, reason } = await ended;
    expect(signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(reason).toContain('ignoring SIGTERM'); // it did get the SIGTERM first
  });
});
