import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerRecovery, clickNew, expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';
import { startServeProcess } from './serveProcess.js';

/** Nothing a user makes is lost: recovery after a reload or a killed serve, and the unsaved-changes guard. */

const undoButton = (page: import('@playwright/test').Page) => page.getByRole('button', { name: 'Undo' });
const title = (page: import('@playwright/test').Page) => page.locator('.doc-title');

test('a fresh start is a clean document: no • and Undo disabled (fitting the frame to the model is not an edit)', async ({ page }) => {
  await page.goto(process.env.ATELIER_E2E_URL!);
  await answerRecovery(page, 'Discard');
  await expect(page.getByLabel('Model')).not.toHaveValue('');
  await page.waitForTimeout(300);
  await expect(title(page)).toHaveText('Untitled');
  await expect(undoButton(page)).toBeDisabled();
});

test('generate, wait for autosave, reload: the work is offered and Restore brings the layer back', async ({ page }) => {
  // Reloading with unsaved work asks first (beforeunload); here the user leaves.
  page.on('dialog', (d) => void d.accept());
  await openApp(page);
  await generateAndWait(page, 'a yellow kite', 1);
  await page.waitForTimeout(5500); // autosave runs every 4 s while there are unsaved changes
  await page.reload();
  await expect(page.getByRole('dialog', { name: 'Recover unsaved work' })).toContainText('1 layer');
  // Nothing writes over the autosave while the question is open, whatever the start-up does.
  await page.waitForTimeout(5000);
  await shot(page, 'r1-recovery-offered');
  await page.getByRole('dialog', { name: 'Recover unsaved work' }).getByRole('button', { name: 'Restore' }).click();
  await expect(layerItems(page)).toHaveCount(1);
  await expect(layerItems(page).first()).toContainText('a yellow kite');
  await expect(title(page)).toHaveText(/•$/);
  // Discard, once answered, is final: the next start is clean.
  await clickNew(page);
  await page.reload();
  await expect(page.locator('.app')).toHaveAttribute('data-recovery', 'answered');
  await expect(layerItems(page)).toHaveCount(0);
});

test('New and Open with unsaved changes ask; Cancel keeps everything, Don\'t save goes on', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'a red barn', 1);
  await page.getByRole('button', { name: 'New', exact: true }).click();
  const ask = page.getByRole('dialog', { name: 'Unsaved changes' });
  await expect(ask).toBeVisible();
  await expect(ask.getByRole('button', { name: 'Save', exact: true })).toBeVisible();
  await shot(page, 'r2-unsaved-changes');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(layerItems(page)).toHaveCount(1);
  await expect(undoButton(page)).toBeEnabled();
  await expect(title(page)).toHaveText(/•$/);

  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog', { name: 'Open document' })).toHaveCount(0);
  await expect(layerItems(page)).toHaveCount(1);

  // Save from the question: saved under the given name, then the new document opens.
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await ask.getByLabel('Save as').fill('guarded barn');
  await ask.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(layerItems(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Documents' }).getByRole('button', { name: /guarded barn/ })).toBeVisible();
});

test('kill -9 of serve after autosave: the next serve offers the work and restores it', async ({ browser }) => {
  const root = join(import.meta.dirname ?? __dirname, '..');
  const data = mkdtempSync(join(tmpdir(), 'atelier-e2e-kill-'));
  const args = ['--data', data, '--models', join(root, 'native-models', 'test-models'), '--renderer', join(root, 'out', 'e2e-renderer')];
  let serve = await startServeProcess(root, args);
  try {
    const page = await browser.newPage();
    await page.goto(serve.url);
    await answerRecovery(page, 'Discard');
    await page.getByLabel('Model').selectOption('sd15-tiny');
    await page.getByLabel('Width').fill('64');
    await page.getByLabel('Height').fill('64');
    await page.getByLabel('Steps').fill('2');
    await generateAndWait(page, 'a green tent', 1);
    await page.waitForTimeout(5500);
    serve.child.kill('SIGKILL');
    await new Promise((r) => serve.child.once('exit', r));
    await page.close();

    serve = await startServeProcess(root, args);
    const again = await browser.newPage();
    await again.goto(serve.url);
    expect(await answerRecovery(again, 'Restore')).toBe(true);
    await expect(layerItems(again)).toHaveCount(1);
    await expect(layerItems(again).first()).toContainText('a green tent');
    await again.close();
  } finally {
    serve.child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
});
