import { app, BrowserWindow, dialog, shell, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { devRendererUrl, isAllowedExternalUrl, isOwnRendererUrl } from './senderPolicy.js';

/** The renderer's own URL: the dev server in `electron-vite dev` (never in a packaged app), else the built file. */
export function rendererUrl(mainDir: string): string {
  const dev = devRendererUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
  return dev ?? pathToFileURL(join(mainDir, '..', 'renderer', 'index.html')).toString();
}

/** The locked-down main window: sandboxed, isolated, no Node, no navigation, no new windows, no permissions. */
export function createMainWindow(mainDir: string): BrowserWindow {
  const own = rendererUrl(mainDir);
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1000,
    minHeight: 640,
    show: false,
    backgroundColor: '#18191c',
    title: 'Atelier',
    webPreferences: {
      preload: join(mainDir, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (e, url) => {
    if (!isOwnRendererUrl(url, own)) e.preventDefault();
  });
  win.webContents.on('will-redirect', (e, url) => {
    if (!isOwnRendererUrl(url, own)) e.preventDefault();
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  // The renderer's beforeunload refuses to unload with unsaved changes (close, quit, reload): ask here.
  // Cancel keeps the window and everything in it; the autosave keeps a copy either way.
  win.webContents.on('will-prevent-unload', (e) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'warning', buttons: ['Close without saving', 'Cancel'], defaultId: 1, cancelId: 1,
      message: 'This document has unsaved changes.', detail: 'Close anyway? Save first with Cancel, then File → Save.',
    });
    if (choice === 0) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to a few known sites leave the app for the system browser once the user agrees; the app
    // never opens windows of its own.
    if (isAllowedExternalUrl(url)) {
      void dialog
        .showMessageBox(win, { type: 'question', buttons: ['Open in browser', 'Cancel'], defaultId: 1, cancelId: 1, message: 'Open this page in your browser?', detail: url.slice(0, 300) })
        .then((r) => (r.response === 0 ? shell.openExternal(url) : undefined));
    }
    return { action: 'deny' };
  });
  // Everything is denied but writing to the clipboard ("Copy layer"), which the user asks for by hand.
  const allowed = (perm: string) => perm === 'clipboard-sanitized-write';
  session.defaultSession.setPermissionRequestHandler((_wc, perm, cb) => cb(allowed(perm)));
  session.defaultSession.setPermissionCheckHandler((_wc, perm) => allowed(perm));
  void win.loadURL(own);
  return win;
}
