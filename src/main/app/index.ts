/** Electron main process: windows, security, IPC and the training utility process around the shared LabService. */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, nativeTheme } from 'electron';
import { createLabService, type LabService } from '../service/lab-service';
import { openWorkspace } from '../workspace';
import { handleImageProtocol, registerImageScheme } from './image-protocol';
import { bindIpc } from './ipc';
import { hardenApp } from './security';
import { utilityLauncher } from './utility-launcher';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '../renderer/index.html');
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const rendererUrl = devUrl ?? pathToFileURL(rendererIndex).href;

function isTrustedUrl(url: string): boolean {
  const base = rendererUrl.split(/[?#]/)[0] as string;
  return url.split(/[?#]/)[0] === base || (devUrl !== undefined && url.startsWith(devUrl));
}

/** The app's own page (the permission handlers allow camera capture to it alone, and only while capturing). */
function isAppOrigin(origin: string): boolean {
  if (!origin) return false;
  if (devUrl !== undefined) return origin.startsWith(new URL(devUrl).origin);
  // Navigation away from the app's file:// page is blocked, so a file:// origin is the app's own.
  return origin.startsWith('file://');
}

registerImageScheme();
hardenApp(isTrustedUrl, isAppOrigin);

let service: LabService | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Image Classification Lab',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#18181c' : '#ffffff',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(rendererUrl);
  return win;
}

app.whenReady().then(() => {
  const ws = openWorkspace(process.env.LAB_HOME || path.join(app.getPath('userData'), 'workspace'));
  service = createLabService({ ws, shell: 'electron', launcher: utilityLauncher(path.join(here, 'worker.js')), version: app.getVersion() });
  handleImageProtocol(service);
  bindIpc(service, isTrustedUrl);
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Training processes never outlive the app.
app.on('before-quit', () => service?.dispose());
