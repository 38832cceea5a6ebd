/**
 * The one place that knows how the renderer reaches the engine: window.lab in Electron (preload),
 * else a WebSocket client to `lab serve`. Created lazily so importing stores never touches the DOM.
 */
import type { LabBridge } from '../../../shared/bridge';
import { LabError, isLabErrorData } from '../../../shared/errors';
import { createWsBridge, wsUrlFromLocation } from './ws-client';

let current: LabBridge | null = null;

/**
 * Errors cross the context bridge as plain {code, message, details} objects (Error subclasses do not
 * survive it): turn them back into LabError so callers see the same thing in both shells.
 */
export function withLabErrors(bridge: LabBridge): LabBridge {
  const wrapped: LabBridge = {
    shell: bridge.shell,
    call: (name, ...args) =>
      bridge.call(name, ...args).catch((err: unknown) => {
        throw err instanceof LabError ? err : isLabErrorData(err) ? LabError.from(err) : err;
      }),
    onEvent: (listener) => bridge.onEvent(listener),
    imageUrl: (datasetId, index, variant) => bridge.imageUrl(datasetId, index, variant),
  };
  if (bridge.pickFolder) wrapped.pickFolder = () => bridge.pickFolder!();
  if (bridge.pathForFile) wrapped.pathForFile = (file) => bridge.pathForFile!(file);
  if (bridge.cameraActive) wrapped.cameraActive = (open) => bridge.cameraActive!(open);
  return wrapped;
}

export function getBridge(): LabBridge {
  if (current) return current;
  if (typeof window !== 'undefined' && window.lab) {
    current = withLabErrors(window.lab);
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
