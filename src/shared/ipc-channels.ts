/** Electron IPC channel names. Kept free of imports: the sandboxed preload bundles this file alone. */
export const IPC_INVOKE_CHANNEL = 'lab:invoke';
export const IPC_EVENT_CHANNEL = 'lab:event';
export const IPC_PICK_FOLDER_CHANNEL = 'lab:pick-folder';
