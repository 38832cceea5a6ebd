import { onScopeDispose } from 'vue';
import type { LabBridge } from '../../../shared/bridge';
import type { LabEvent, LabEventOf, LabEventType } from '../../../shared/events';
import { getBridge } from '../api/bridge';
import type { WsBridge } from '../api/ws-client';
import { useDatasetsStore } from '../stores/datasets';
import { useRunsStore } from '../stores/runs';

function isWsBridge(b: LabBridge): b is WsBridge {
  return typeof (b as Partial<WsBridge>).onStateChange === 'function';
}

/**
 * Routes engine events into the stores for as long as the calling scope lives (App.vue: the whole session).
 * After a WebSocket reconnect the stores re-read what may have been missed.
 */
export function useLabEvents(bridge: LabBridge = getBridge()): void {
  const datasets = useDatasetsStore();
  const runs = useRunsStore();
  const off = bridge.onEvent((event) => {
    datasets.handleEvent(event);
    runs.handleEvent(event);
  });
  onScopeDispose(off);
  if (isWsBridge(bridge)) {
    const offState = bridge.onStateChange((state, previous) => {
      if (state === 'open' && previous === 'reconnecting') {
        void runs.resync();
        void datasets.refreshList();
      }
    });
    onScopeDispose(offState);
  }
}

/** One kind of event, for a component that needs it directly (e.g. run.log lines); unsubscribes with the scope. */
export function useLabEvent<T extends LabEventType>(type: T, handler: (event: LabEventOf<T>) => void, bridge: LabBridge = getBridge()): void {
  const off = bridge.onEvent((event: LabEvent) => {
    if (event.type === type) handler(event as LabEventOf<T>);
  });
  onScopeDispose(off);
}
