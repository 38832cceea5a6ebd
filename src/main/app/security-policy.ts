/**
 * What the Electron shell allows, as plain decisions (no `electron` import, so they are unit-tested): which pages may
 * be navigated to, which links open in the user's browser, and which web permissions the window gets. Everything
 * not listed here is denied.
 */

/** Links the app may open in the user's browser: documentation of the formats and runtimes it exports to. */
export const VETTED_EXTERNAL_URLS: readonly string[] = [
  'https://www.tensorflow.org/js/',
  'https://js.tensorflow.org/',
  'https://onnxruntime.ai/',
  'https://onnx.ai/',
  'https://teachablemachine.withgoogle.com/',
  'https://ai.google.dev/edge/litert',
  'https://github.com/oneapi-src/oneDNN',
  'https://cs231n.github.io/',
];

/** https only, no credentials, no non-default port, and under one of the vetted prefixes (compared after parsing). */
export function isVettedExternalUrl(raw: string, vetted: readonly string[] = VETTED_EXTERNAL_URLS): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  return vetted.some((prefix) => {
    const p = new URL(prefix);
    if (url.host !== p.host) return false;
    const base = p.pathname.replace(/\/$/, '');
    return base === '' || url.pathname === base || url.pathname.startsWith(`${base}/`);
  });
}

/**
 * Web permissions. Denied by default; the one exception is camera capture ('media', video) for the app's own page
 * while the camera view has asked for it — the single switch the camera feature (#19) turns on and off.
 */
export interface PermissionState {
  mediaCapture: boolean;
}

export const permissionState: PermissionState = { mediaCapture: false };

/** Called by the camera feature when capture starts (true) and stops (false). */
export function allowMediaCapture(enabled: boolean): void {
  permissionState.mediaCapture = enabled;
}

/**
 * The pages that hold a camera stream open (the capture and live views say so over IPC when they open and stop one):
 * capture is allowed while at least one does, and off as soon as none does. Returns whether it is now allowed.
 */
const cameraHolders = new Set<number>();
export function setCameraHolder(holder: number, open: boolean): boolean {
  if (open) cameraHolders.add(holder);
  else cameraHolders.delete(holder);
  allowMediaCapture(cameraHolders.size > 0);
  return permissionState.mediaCapture;
}

/**
 * `mediaTypes`: what a 'media' request asks for (Electron's details.mediaTypes, or [details.mediaType] in a permission
 * check). Only video is ever allowed: a request that names no type, or asks for the microphone too, is denied.
 */
export function isPermissionAllowed(
  permission: string,
  requestingOrigin: string,
  isAppOrigin: (origin: string) => boolean,
  state: PermissionState = permissionState,
  mediaTypes: readonly string[] = [],
): boolean {
  if (permission === 'media') return state.mediaCapture && isAppOrigin(requestingOrigin) && mediaTypes.length > 0 && mediaTypes.every((t) => t === 'video');
  return false;
}

/**
 * connect-src for the app's page: its own origin only. Electron talks to the engine over IPC; in a browser `lab serve`
 * adds its exact ws://host:port origins as a header.
 */
export const APP_CONNECT_SRC = "connect-src 'self'";
