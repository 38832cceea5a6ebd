/// <reference types="vite/client" />
import type { LabBridge } from '../../shared/bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a browser tab. */
    lab?: LabBridge;
  }
}

export {};
