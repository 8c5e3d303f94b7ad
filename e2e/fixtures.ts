import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Screenshots land here, to be looked at (not compared): out/e2e-screens/<name>.png. */
export const SCREENS = join(import.meta.dirname ?? __dirname, '..', 'out', 'e2e-screens');
mkdirSync(SCREENS, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENS, `${name}.png`) });
}

/** Opens the app from serve's printed URL, on a fresh document, with small fast settings. */
export async function openApp(page: Page, opts: { size?: number; steps?: number } = {}): Promise<void> {
  const url = process.env.ATELIER_E2E_URL;
  if (!url) throw new Error('ATELIER_E2E_URL is not set (globalSetup starts serve)');
  await page.goto(url);
  await answerRecovery(page, 'Discard');
  await clickNew(page);
  await expect(page.getByLabel('Model')).not.toHaveValue('');
  await page.getByLabel('Model').selectOption('sd15-tiny');
  await page.getByLabel('Width').fill(String(opts.size ?? 128));
  await page.getByLabel('Height').fill(String(opts.size ?? 128));
  await page.getByLabel('Steps').fill(String(opts.steps ?? 3));
  await page.getByRole('button', { name: 'Fit' }).click();
}

/**
 * Waits for the start-up recovery check; answers its offer (an earlier test's autosave) if one is shown.
 * Returns whether there was one.
 */
export async function answerRecovery(page: Page, answer: 'Restore' | 'Discard'): Promise<boolean> {
  const app = page.locator('.app');
  await expect(app).toHaveAttribute('data-recovery', /offered|answered/);
  if ((await app.getAttribute('data-recovery')) !== 'offered') return false;
  await page.getByRole('dialog', { name: 'Recover unsaved work' }).getByRole('button', { name: answer }).click();
  await expect(app).toHaveAttribute('data-recovery', 'answered');
  return true;
}

/** New, answering "Don't save" when the document has unsaved changes (its title ends with •). */
export async function clickNew(page: Page): Promise<void> {
  const dirty = ((await page.locator('.doc-title').textContent()) ?? '').endsWith('•');
  await page.getByRole('button', { name: 'New', exact: true }).click();
  if (dirty) await page.getByRole('dialog', { name: 'Unsaved changes' }).getByRole('button', { name: "Don't save" }).click();
  await expect(page.getByRole('dialog', { name: 'Unsaved changes' })).toHaveCount(0);
}

/** Fills the prompt, generates and waits for the new layer. */
export async function generateAndWait(page: Page, prompt: string, expectedLayers: number): Promise<void> {
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('list', { name: 'Layers' }).getByRole('listitem')).toHaveCount(expectedLayers, { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
}

/**
 * Watches the status bar from inside the page and resolves once the progress bar and its Cancel button were
 * both on screen. A demo-model job can end in under a second, so polling them one after the other races it.
 */
export async function watchJobUi(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __sawJobUi: boolean };
    w.__sawJobUi = false;
    const status = document.querySelector('.statusbar')!;
    new MutationObserver(() => {
      const bar = status.querySelector('[role="progressbar"][aria-label="Generation progress"]');
      const cancel = Array.from(status.querySelectorAll('button')).some((b) => b.textContent === 'Cancel');
      if (bar && cancel) w.__sawJobUi = true;
    }).observe(status, { subtree: true, childList: true });
  });
  return () => expect.poll(() => page.evaluate(() => (globalThis as unknown as { __sawJobUi: boolean }).__sawJobUi)).toBe(true);
}

/** Drops one file (its bytes as base64) on the middle of the canvas, as a drag from the desktop would. */
export async function dropFile(page: Page, name: string, type: string, base64: string): Promise<void> {
  const canvas = page.getByRole('application', { name: 'Canvas' });
  const box = (await canvas.boundingBox())!;
  const dataTransfer = await page.evaluateHandle(
    ({ name, type, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      // Browser globals, reached through globalThis: this file is typechecked without the DOM lib.
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: unknown[], n: string, o: { type: string }) => unknown };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File([bytes], name, { type }));
      return dt;
    },
    { name, type, base64 },
  );
  await canvas.dispatchEvent('drop', { dataTransfer, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 });
}

export const test = base;
export { expect };

/** Screen point of a document point, from the canvas's published view transform. */
export async function docToScreen(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByRole('application', { name: 'Canvas' });
  const box = (await canvas.boundingBox())!;
  const zoom = Number(await canvas.getAttribute('data-zoom'));
  const panX = Number(await canvas.getAttribute('data-pan-x'));
  const panY = Number(await canvas.getAttribute('data-pan-y'));
  return { x: box.x + panX + x * zoom, y: box.y + panY + y * zoom };
}

/** Drags across the canvas in document coordinates, in `steps` pointer moves. */
export async function dragOnCanvas(page: Page, from: [number, number], to: [number, number], steps = 12): Promise<void> {
  const a = await docToScreen(page, ...from);
  const b = await docToScreen(page, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps });
  await page.mouse.up();
}

export function layerItems(page: Page) {
  return page.getByRole('list', { name: 'Layers' }).getByRole('listitem');
}
