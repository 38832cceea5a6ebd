import type { LabClient } from './contract';

/**
 * What the renderer gets from its shell: the LabApi client plus the few things only a shell can do.
 * Electron's preload exposes it as window.lab; in a browser the WebSocket client provides it.
 */
export interface LabBridge extends LabClient {
  shell: 'electron' | 'browser';
  /** URL of a dataset image, addressed by manifest index (never by path). */
  imageUrl(datasetId: string, index: number, variant?: 'thumb' | 'full'): string;
  /** Native folder picker (Electron only). */
  pickFolder?: () => Promise<string | null>;
  /** Absolute path of a dropped File (Electron only; the argument is a DOM File). */
  pathForFile?: (file: unknown) => string;
  /**
   * Electron only: a view opens (true) or stops (false) a camera stream; the main process grants camera permission to
   * the app's page only in between. Resolves to whether capture is now allowed.
   */
  cameraActive?: (open: boolean) => Promise<boolean>;
}
