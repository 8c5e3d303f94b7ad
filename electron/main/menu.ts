import { app, Menu, type MenuItemConstructorOptions } from 'electron';

/**
 * The application menu. Undo/Redo are deliberately NOT menu roles: a role accelerator would take Ctrl+Z
 * before the page sees it and run the browser's text undo instead of the document's. The renderer owns
 * those shortcuts (text fields keep their own undo).
 */
export function installAppMenu(): void {
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    { label: 'Edit', submenu: [{ role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    {
      label: 'View',
      submenu: [{ role: 'togglefullscreen' }, ...(app.isPackaged ? [] : [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }])],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
