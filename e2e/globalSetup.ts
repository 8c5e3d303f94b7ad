import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServeProcess } from './serveProcess.js';

/**
 * Builds the renderer fresh, starts `serve` as the user would (its own process, a throwaway data folder,
 * the tiny test models) and hands the printed URL (with its token) to the tests via ATELIER_E2E_URL.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = join(import.meta.dirname ?? __dirname, '..');
  const data = mkdtempSync(join(tmpdir(), 'atelier-e2e-'));
  const renderer = join(root, 'out', 'e2e-renderer');
  // A model whose UNet is garbage: the engine must fail with a readable message, not a silent no-op.
  const broken = join(data, 'broken-models', 'broken-tiny');
  const tiny = join(root, 'native-models', 'test-models', 'sd15-tiny');
  mkdirSync(join(broken, 'unet'), { recursive: true });
  for (const part of readdirSync(tiny)) if (part !== 'unet') symlinkSync(join(tiny, part), join(broken, part));
  writeFileSync(join(broken, 'unet', 'model.onnx'), 'this is not an ONNX model');
  // The trained demo model and its ControlNet, when they are there, for the flows whose screenshots show real shapes.
  const demo = join(root, 'native-models', 'demo', 'atelier-shapes-128');
  const demoControlNet = join(root, 'native-models', 'demo', 'atelier-shapes-128-scribble');
  const demoModels = [
    ...(existsSync(join(demo, 'unet', 'model.onnx')) ? ['--models', demo] : []),
    ...(existsSync(join(demoControlNet, 'controlnet', 'model.onnx')) ? ['--models', demoControlNet] : []),
  ];
  const { child, url } = await startServeProcess(
    root,
    ['--data', data, '--models', join(root, 'native-models', 'test-models'), '--models', join(data, 'broken-models'), ...demoModels, '--renderer', renderer, '--rebuild'],
    { env: { ATELIER_E2E: '1' }, timeoutMs: 120_000 },
  );
  process.env.ATELIER_E2E_URL = url;
  process.env.ATELIER_E2E_DATA = data;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(data, { recursive: true, force: true });
  };
}
