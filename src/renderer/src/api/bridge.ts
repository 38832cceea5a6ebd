/**
 * The one place that knows how the renderer reaches the engine: window.lab in Electron (preload),
 * else a WebSocket client to `lab serve`. Created lazily so importing stores never touches the DOM.
 */
import type { LabBridge } from '../../../shared/bridge';
import { createWsBridge, wsUrlFromLocation } from './ws-client';

let current: LabBridge | null = null;

export function getBridge(): LabBridge {
  if (current) return current;
  if (typeof window !== 'undefined' && window.lab) {
    current = window.lab;
  } else if (typeof window !== 'undefined' && typeof location !== 'undefined') {
    current = createWsBridge({ url: wsUrlFromLocation(location) });
  } else {
    throw new Error('No LabBridge: not in Electron or a browser; call setBridge() first (tests).');
  }
  return current;
}

/** Tests (and Storybook-like harnesses) inject a fake bridge. */
export function setBridge(bridge: LabBridge | null): void {
  current = bridge;
}
