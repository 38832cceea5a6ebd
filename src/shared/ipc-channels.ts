/** Electron IPC channel names. Kept free of imports: the sandboxed preload bundles this file alone. */
export const IPC_INVOKE_CHANNEL = 'lab:invoke';
export const IPC_EVENT_CHANNEL = 'lab:event';
export const IPC_PICK_FOLDER_CHANNEL = 'lab:pick-folder';
/** The renderer opens (true) or stops (false) a camera stream: camera permission is granted only in between. */
export const IPC_CAMERA_CHANNEL = 'lab:camera';
