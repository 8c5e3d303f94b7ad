import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStandin } from '../electron/core/models/standin/writeStandin.js';
import { clickNew, expect, shot, test } from './fixtures.js';
import { startServeProcess } from './serveProcess.js';

/**
 * A stand-in model (`models standin sdxl --fp16 --tiny`: SDXL's layout, names and dtypes, scaled down)
 * through the app: import it in the Models dialog, pick it, Generate. Its own `serve` fakes a machine
 * with 2 GB free (ATELIER_FREE_MEMORY), so a large frame is refused before the job starts, with the
 * engine's one sentence, both beside Generate and when Generate is pressed anyway.
 */

const root = join(import.meta.dirname ?? __dirname, '..');
let serve: ChildProcess;
let url = '';
let data = '';

test.beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'atelier-e2e-standin-'));
  writeStandin({ family: 'sdxl', fp16: true, tiny: true, outDir: join(data, 'sdxl-standin-tiny') });
  ({ child: serve, url } = await startServeProcess(
    root,
    ['--data', data, '--models', join(root, 'native-models', 'test-models'), '--renderer', join(root, 'out', 'e2e-renderer')],
    { env: { ATELIER_FREE_MEMORY: '2GB', ATELIER_MODELS_DIR: '' } },
  ));
});

test.afterAll(async () => {
  serve?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(data, { recursive: true, force: true });
});

test('stand-in: import in the Models dialog, pick, generate; a frame too big for free memory is refused in one sentence', async ({ page }) => {
  // Import loads every session once to check the folder: seconds on an idle machine, more on a busy one.
  test.setTimeout(240_000);
  await page.goto(url);
  await clickNew(page);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await dialog.getByLabel('Model folder path').fill(join(data, 'sdxl-standin-tiny'));
  await dialog.getByRole('button', { name: 'Import folder' }).click();
  await expect(dialog.getByRole('status')).toContainText('Imported “sdxl-standin-tiny”', { timeout: 90_000 });
  const row = dialog.getByRole('list', { name: 'Installed models' }).getByRole('listitem', { name: 'sdxl-standin-tiny' });
  await expect(row).toContainText('sdxl');
  // The row's estimate is measured against the faked free memory.
  await expect(row).toContainText(/of 2\.0 GB free/);
  await shot(page, 'standin1-models-dialog');
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.getByLabel('Model').selectOption('sdxl-standin-tiny');
  await page.getByLabel('Width').fill('64');
  await page.getByLabel('Height').fill('64');
  await page.getByLabel('Steps').fill('2');
  await page.getByRole('button', { name: 'Fit' }).click();
  await expect(page.locator('.memory-estimate')).toContainText(/Memory ≈[\d.]+ GB of 2\.0 GB free/);
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a lighthouse at dusk');
  await page.getByRole('button', { name: 'Generate' }).click();
  const layers = page.getByRole('list', { name: 'Layers' }).getByRole('listitem');
  await expect(layers).toHaveCount(1, { timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();

  // 2048² needs ≈11 GB for the VAE decoder's activations alone: refused up front, no layer added.
  await page.getByLabel('Width').fill('2048');
  await page.getByLabel('Height').fill('2048');
  await page.getByRole('button', { name: 'Fit' }).click();
  await expect(page.locator('.memory-estimate')).toContainText(/Won’t fit: needs ≈[\d.]+ GB, 2\.0 GB free: try \d+×\d+/);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText(/needs ≈[\d.]+ GB, 2\.0 GB free/);
  await expect(layers).toHaveCount(1);
  await shot(page, 'standin2-refused');
});
