import { _electron as electron } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronBinary } from './electronBinary.js';
import { expect, shot, test } from './fixtures.js';

const root = join(import.meta.dirname, '..');

test('Electron: the app launches locked down and generates', async () => {
  const bin = electronBinary();
  if ('reason' in bin) {
    console.log(`[electron e2e skipped] ${bin.reason}; the app's build and types are checked by npm run build / typecheck.`);
    test.skip(true, bin.reason);
    return;
  }
  execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'ignore' });
  const data = mkdtempSync(join(tmpdir(), 'atelier-electron-'));
  const app = await electron.launch({
    executablePath: bin.path,
    args: [join(root, 'out', 'main', 'index.js'), '--no-sandbox'],
    env: { ...process.env, ATELIER_DATA_DIR: data, ATELIER_MODELS_DIR: join(root, 'native-models', 'test-models') },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByRole('button', { name: 'Generate' })).toBeVisible();
    // The renderer has the bridge and nothing of Node.
    expect(await page.evaluate(() => typeof (globalThis as unknown as { atelier?: unknown }).atelier)).toBe('object');
    expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      // Not in the typings of every Electron version; present at runtime.
      return (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
    });
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    await page.getByLabel('Model').selectOption('sd15-tiny');
    await page.getByLabel('Width').fill('128');
    await page.getByLabel('Height').fill('128');
    await page.getByLabel('Steps').fill('2');
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a small red house');
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(page.getByRole('list', { name: 'Layers' }).getByRole('listitem')).toHaveCount(1, { timeout: 60_000 });
    await shot(page, '10-electron');
  } finally {
    await app.close();
    rmSync(data, { recursive: true, force: true });
  }
});
