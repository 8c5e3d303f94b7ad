import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiEventName, ApiEvents } from '../contract/api.js';
import { imageRoutePath } from '../contract/imageRoutes.js';
import { createStudio, type Studio } from '../core/jobs/createStudio.js';
import { EventSubscriptions } from '../core/jobs/eventSubscriptions.js';
import { engineOptionsFor } from '../core/jobs/engineSettings.js';
import { resolveDataDir } from '../core/store/dataDir.js';
import { handleImageProtocol, registerSchemePrivileges, SCHEME } from './imageProtocol.js';
import { dropSubscriptionsWithPage, registerIpc } from './ipc.js';
import { installAppMenu } from './menu.js';
import { utilitySpawner } from './utilitySpawner.js';
import { isOwnRendererUrl } from './senderPolicy.js';
import { startOrExplain } from './startupFailure.js';
import { createMainWindow, rendererUrl } from './window.js';

/** Electron main: one window, the core wired to IPC, the engine in a utilityProcess. */
const mainDir = dirname(fileURLToPath(import.meta.url));
let window: BrowserWindow | null = null;
let studio: Studio | null = null;

registerSchemePrivileges();
if (!app.requestSingleInstanceLock()) app.quit();

/** What each window subscribed to (its preload says so): a window gets only those events, as a serve tab does. */
const subscriptions = new EventSubscriptions<Electron.WebContents>();

function emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
  subscriptions.publish(event, (contents) => {
    if (!contents.isDestroyed()) contents.send(event, payload);
  });
}

function openWindow(): BrowserWindow {
  const win = createMainWindow(mainDir);
  dropSubscriptionsWithPage(win.webContents, subscriptions);
  win.on('closed', () => {
    if (window === win) window = null;
  });
  return win;
}

// A start that fails says why in a dialog and quits, releasing the single-instance lock (startupFailure.ts).
app.whenReady().then(() => startOrExplain(start, { showErrorBox: (title, content) => dialog.showErrorBox(title, content), releaseSingleInstanceLock: () => app.releaseSingleInstanceLock(), exit: (code) => app.exit(code) }));

function start(): void {
  // The same data folder as the CLI and `serve`, so all three share one history and model library.
  const dataDir = resolveDataDir();
  const { notices: settingsNotices, ...engineOptions } = engineOptionsFor(dataDir);
  for (const n of settingsNotices) console.warn(n);
  studio = createStudio({
    dataDir,
    modelRoots: [],
    spawn: utilitySpawner(join(mainDir, 'engineProcess.js'), engineOptions),
    emit,
    previewUrl: (jobId, step) => `${SCHEME}://${imageRoutePath('preview', jobId)}?step=${step}`,
    origin: 'app',
    resourcesPath: app.isPackaged ? process.resourcesPath : undefined,
    documentThread: join(mainDir, 'documentWorker.js'),
    // Shown in the window with the history's own notices (damage moved aside…), until dismissed.
    notices: settingsNotices,
    host: {
      chooseExportPath: async (name, format) => {
        const options = { defaultPath: join(app.getPath('pictures'), `${name}.${format}`), filters: [{ name: format.toUpperCase(), extensions: [format] }] };
        const target = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
        return target.canceled || !target.filePath ? null : target.filePath;
      },
      pickFolder: async (title) => {
        const options: Electron.OpenDialogOptions = { title, properties: ['openDirectory'] };
        const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
        return picked.canceled || !picked.filePaths[0] ? null : picked.filePaths[0];
      },
    },
  });
  const backend = studio.backend;
  handleImageProtocol(backend);
  installAppMenu();
  const own = rendererUrl(mainDir);
  registerIpc(ipcMain, backend.handlers, (sender, url) => window !== null && sender === window.webContents && isOwnRendererUrl(url, own), subscriptions as EventSubscriptions<unknown>);
  window = openWindow();
  app.on('second-instance', () => window?.focus());
  app.on('activate', () => {
    if (!window) window = openWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => studio?.close());
