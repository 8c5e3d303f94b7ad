import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiEventName, ApiEvents } from '../contract/api.js';
import { createStudio, type Studio } from '../core/jobs/createStudio.js';
import { engineOptionsFor } from '../core/jobs/engineSettings.js';
import { resolveDataDir } from '../core/store/dataDir.js';
import { handleImageProtocol, registerSchemePrivileges, SCHEME } from './imageProtocol.js';
import { registerIpc } from './ipc.js';
import { installAppMenu } from './menu.js';
import { utilitySpawner } from './utilitySpawner.js';
import { isOwnRendererUrl } from './senderPolicy.js';
import { createMainWindow, rendererUrl } from './window.js';

/** Electron main: one window, the core wired to IPC, the engine in a utilityProcess. */
const mainDir = dirname(fileURLToPath(import.meta.url));
let window: BrowserWindow | null = null;
let studio: Studio | null = null;

registerSchemePrivileges();
if (!app.requestSingleInstanceLock()) app.quit();

function emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
  if (window && !window.isDestroyed()) window.webContents.send(event, payload);
}

app.whenReady().then(() => {
  // The same data folder as the CLI and `serve`, so all three share one history and model library.
  const dataDir = resolveDataDir();
  const { notices: settingsNotices, ...engineOptions } = engineOptionsFor(dataDir);
  for (const n of settingsNotices) console.warn(n);
  studio = createStudio({
    dataDir,
    modelRoots: [],
    spawn: utilitySpawner(join(mainDir, 'engineProcess.js'), engineOptions),
    emit,
    previewUrl: (jobId, step) => `${SCHEME}://preview/${jobId}.png?step=${step}`,
    origin: 'app',
    resourcesPath: app.isPackaged ? process.resourcesPath : undefined,
    documentThread: join(mainDir, 'documentWorker.js'),
  });
  const backend = studio.backend;
  // Export in the app asks where to put the file (the renderer never names a path).
  backend.handlers['export:document'] = async ({ name, format, document, frameOnly }) => {
    const options = { defaultPath: join(app.getPath('pictures'), `${name}.${format}`), filters: [{ name: format.toUpperCase(), extensions: [format] }] };
    const target = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    if (target.canceled || !target.filePath) return { path: '', bytes: 0 };
    const path = extname(target.filePath) ? target.filePath : `${target.filePath}.${format}`;
    return { path, bytes: await backend.exportTo(path, document, frameOnly) };
  };
  // Models dialog: Import picks the folder with a dialog here (serve takes a typed path instead).
  const importModel = backend.handlers['models:import'];
  backend.handlers['models:import'] = async () => {
    const options: Electron.OpenDialogOptions = { title: 'Import a model folder', properties: ['openDirectory'] };
    const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    if (picked.canceled || !picked.filePaths[0]) return { id: '', alreadyListed: false };
    return importModel({ dir: picked.filePaths[0] });
  };
  handleImageProtocol(backend);
  installAppMenu();
  const own = rendererUrl(mainDir);
  registerIpc(ipcMain, backend.handlers, (sender, url) => window !== null && sender === window.webContents && isOwnRendererUrl(url, own));
  window = createMainWindow(mainDir);
  window.on('closed', () => (window = null));
  app.on('second-instance', () => window?.focus());
  app.on('activate', () => {
    if (!window) window = createMainWindow(mainDir);
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => studio?.close());
