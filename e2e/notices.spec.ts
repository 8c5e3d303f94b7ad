import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerRecovery, expect, shot, test } from './fixtures.js';
import { startServeProcess } from './serveProcess.js';

/** Damage notices reach the user in the app, not only serve's terminal: shown once, dismissible. */

test('a damaged history: serve starts, moves it aside, and the app shows the notice until dismissed', async ({ browser }) => {
  const root = join(import.meta.dirname ?? __dirname, '..');
  const data = mkdtempSync(join(tmpdir(), 'atelier-e2e-notices-'));
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'history.db'), Buffer.from('this is not an SQLite database '.repeat(300)));
  const args = ['--data', data, '--models', join(root, 'native-models', 'test-models'), '--renderer', join(root, 'out', 'e2e-renderer')];
  const serve = await startServeProcess(root, args);
  try {
    expect(readdirSync(data).some((f) => f.startsWith('history.db.corrupt-'))).toBe(true);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(serve.url);
    await answerRecovery(page, 'Discard');
    const notices = page.getByRole('region', { name: 'Notices' });
    await expect(notices.getByRole('status')).toHaveCount(1);
    await expect(notices).toContainText(/The history database could not be read .* moved to .*history\.db\.corrupt-.* a new, empty history was started\./);
    await shot(page, 'notice-damaged-history');
    await notices.getByRole('button', { name: 'Dismiss notice' }).click();
    await expect(notices).toHaveCount(0);
    // Dismissed in serve too: a reload does not show it again.
    await page.reload();
    await answerRecovery(page, 'Discard');
    await expect(page.getByLabel('Model')).not.toHaveValue('');
    await expect(page.getByRole('region', { name: 'Notices' })).toHaveCount(0);
    await page.close();
  } finally {
    serve.child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
});
