/** A LabBridge for store tests: scripted answers per call, recorded calls, and events pushed on demand. */
import type { LabBridge } from '../../../shared/bridge';
import type { LabArgs, LabCallName, LabResults } from '../../../shared/contract';
import type { LabEvent } from '../../../shared/events';

type Handler<K extends LabCallName> = (...args: LabArgs<K>) => LabResults[K] | Promise<LabResults[K]>;

export interface FakeBridge extends LabBridge {
  calls: { name: LabCallName; args: unknown[] }[];
  on<K extends LabCallName>(name: K, handler: Handler<K>): FakeBridge;
  emit(event: LabEvent): void;
  listenerCount(): number;
}

export function createFakeBridge(): FakeBridge {
  const handlers = new Map<LabCallName, (...args: unknown[]) => unknown>();
  const listeners = new Set<(e: LabEvent) => void>();
  const bridge: FakeBridge = {
    shell: 'browser',
    calls: [],
    imageUrl: (datasetId, index, variant = 'thumb') => `/api/image/${datasetId}/${index}?variant=${variant}`,
    on(name, handler) {
      handlers.set(name, handler as (...args: unknown[]) => unknown);
      return bridge;
    },
    async call<K extends LabCallName>(name: K, ...args: LabArgs<K>): Promise<LabResults[K]> {
      bridge.calls.push({ name, args });
      const h = handlers.get(name);
      if (!h) throw new Error(`fake bridge: no answer scripted for ${name}`);
      return (await h(...args)) as LabResults[K];
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const l of [...listeners]) l(event);
    },
    listenerCount: () => listeners.size,
  };
  return bridge;
}

/** Resolves after pending promise callbacks have run. */
export const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A promise plus its resolve/reject, to hold a call open while events arrive. */
export function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
