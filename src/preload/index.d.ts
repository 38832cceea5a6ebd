import type { LabBridge } from '../shared/bridge';

declare global {
  interface Window {
    /** Present in the Electron app; absent in a browser tab, where the WebSocket client is used. */
    lab?: LabBridge;
  }
}

export {};
