import { onScopeDispose, ref, type Ref } from 'vue';
import { getBridge } from '../api/bridge';
import type { ConnectionState, WsBridge } from '../api/ws-client';

/** The WebSocket connection state in browser mode; always 'open' in Electron. */
export function useConnectionState(): Ref<ConnectionState> {
  const bridge = getBridge() as Partial<WsBridge>;
  const state = ref<ConnectionState>(bridge.state ?? 'open');
  if (bridge.onStateChange) {
    const off = bridge.onStateChange((s) => {
      state.value = s;
    });
    onScopeDispose(off);
  }
  return state;
}
