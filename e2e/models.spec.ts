import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { formatBytes } from '../electron/shared/format.js';
import { catalogEntryForFolder, startTestModelServer, type TestModelServer } from '../electron/core/models/testing/testModelServer.js';
import { clickNew, expect, shot, test } from './fixtures.js';
import { startServeProcess } from './serveProcess.js';

/**
 * The Models dialog against a local stand-in for Hugging Face: its own `serve` (own data folder, a
 * catalogue of two entries built from the tiny test model, ATELIER_MODELS_BASE_URL at the local server),
 * the renderer globalSetup built. Pull with progress, pause, resume, generate with the pulled model,
 * cancel a pull, import a folder, the provider line.
 */

const root = join(import.meta.dirname ?? __dirname, '..');
const TINY = join(root, 'native-models', 'test-models', 'sd15-tiny');
let server: TestModelServer;
let serve: ChildProcess;
let url = '';
let data = '';

test.beforeAll(async () => {
  server = await startTestModelServer(TINY, 'atelier-test/tiny');
  data = mkdtempSync(join(tmpdir(), 'atelier-e2e-models-'));
  const catalog = join(data, 'catalog.json');
  const entry = (id: string) => ({ ...catalogEntryForFolder(TINY, id, 'atelier-test/tiny'), label: `Tiny ${id}` });
  writeFileSync(catalog, JSON.stringify({ type: 'atelier-model-catalog', version: 1, models: [entry('tiny-pull'), entry('tiny-cancel')] }));
  ({ child: serve, url } = await startServeProcess(
    root,
    ['--data', data, '--models', join(root, 'native-models', 'test-models'), '--renderer', join(root, 'out', 'e2e-renderer')],
    { env: { ATELIER_MODELS_CATALOG: catalog, ATELIER_MODELS_BASE_URL: server.baseUrl, ATELIER_MODELS_DIR: '' } },
  ));
});

test.afterAll(async () => {
  serve?.kill('SIGTERM');
  await server?.close();
  await new Promise((r) => setTimeout(r, 300));
  rmSync(data, { recursive: true, force: true });
});

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Models' });
const catalogueRow = (page: Page, label: string) => dialog(page).getByRole('list', { name: 'Catalogue models' }).getByRole('listitem', { name: label });

test('models: pull with progress, pause and resume, use the pulled model, cancel a pull, import a folder, provider shown', async ({ page }) => {
  await page.goto(url);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await expect(dialog(page).getByLabel('Execution provider')).toContainText('known after the first generation');
  await expect(dialog(page).getByRole('list', { name: 'Installed models' }).getByRole('listitem', { name: 'sd15-tiny' })).toContainText('bundled');

  // The UNet connection drops three times (back-off 1, 2, 4 s): a window to pause in.
  server.misbehave('unet/model.onnx', { kind: 'drop-after', bytes: 400_000, times: 3 });
  const pull = catalogueRow(page, 'Tiny tiny-pull');
  // The size the dialog shows is the catalogue's: the test model's own bytes (it changes when it is rebuilt).
  const size = formatBytes(catalogEntryForFolder(TINY, 'tiny-pull').files.reduce((n, f) => n + (f.size ?? 0), 0)).replace('.', '\\.');
  await expect(pull).toContainText(new RegExp(`· ${size} · licence test`));
  await pull.getByRole('button', { name: 'Download' }).click();
  await expect(pull.getByRole('progressbar')).toBeVisible();
  await expect(pull).toContainText(new RegExp(`\\d+% · [\\d.]+ [KM]B of ${size} · .+/s · .+ left`));
  await shot(page, 'm1-models-downloading');
  // Pause once the UNet has started (and dropped): on a loaded machine a pause could land while an earlier
  // file was still coming, leaving no partial UNet to resume.
  await expect.poll(() => server.requests.some((r) => r.path === 'unet/model.onnx' && r.status !== 0), { timeout: 30_000 }).toBe(true);
  await pull.getByRole('button', { name: 'Pause' }).click();
  await expect(pull).toContainText(new RegExp(`Paused · [\\d.]+ [KM]B of ${size} kept`));
  await expect(dialog(page).getByRole('status')).toContainText('Stopped tiny-pull');

  server.misbehave('unet/model.onnx', undefined);
  await pull.getByRole('button', { name: 'Resume' }).click();
  await expect(pull).toContainText('Installed as “tiny-pull”', { timeout: 30_000 });
  await expect(dialog(page).getByRole('list', { name: 'Installed models' }).getByRole('listitem', { name: 'tiny-pull' })).toContainText('pulled from tiny-pull');
  // The resume asked for the rest of the file, not all of it again.
  expect(server.requests.some((r) => r.path === 'unet/model.onnx' && r.status === 206)).toBe(true);

  // Cancel: the pull stops and its partial files go.
  server.misbehave('unet/model.onnx', { kind: 'drop-after', bytes: 400_000, times: 3 });
  const cancel = catalogueRow(page, 'Tiny tiny-cancel');
  await cancel.getByRole('button', { name: 'Download' }).click();
  await expect(cancel.getByRole('progressbar')).toBeVisible();
  await cancel.getByRole('button', { name: 'Cancel' }).click();
  await expect(cancel.getByRole('button', { name: 'Download' })).toBeVisible();
  await expect(cancel).not.toContainText('Paused');
  server.misbehave('unet/model.onnx', undefined);

  // Import a folder where it is (serve takes a typed absolute path).
  const copy = join(data, 'elsewhere', 'my-tiny');
  cpSync(TINY, copy, { recursive: true });
  await dialog(page).getByLabel('Model folder path').fill(copy);
  await dialog(page).getByRole('button', { name: 'Import folder' }).click();
  await expect(dialog(page).getByRole('status')).toContainText('Imported “my-tiny”');
  await expect(dialog(page).getByRole('list', { name: 'Installed models' }).getByRole('listitem', { name: 'my-tiny' })).toContainText('imported');
  await dialog(page).getByLabel('Model folder path').fill(join(data, 'nothing-here'));
  await dialog(page).getByRole('button', { name: 'Import folder' }).click();
  await expect(dialog(page).getByRole('alert')).toBeVisible();
  await shot(page, 'm2-models-installed');
  await dialog(page).getByRole('button', { name: 'Close' }).click();

  // The pulled model is in the picker and generates; the dialog then names the provider it ran on.
  await clickNew(page);
  await page.getByLabel('Model').selectOption('tiny-pull');
  await page.getByLabel('Width').fill('64');
  await page.getByLabel('Height').fill('64');
  await page.getByLabel('Steps').fill('2');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a pulled model works');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('list', { name: 'Layers' }).getByRole('listitem')).toHaveCount(1, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await expect(dialog(page).getByLabel('Execution provider')).toContainText('Engine runs on CPU');
  await shot(page, 'm3-models-provider');
});
