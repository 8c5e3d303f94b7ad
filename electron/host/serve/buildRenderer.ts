import { join } from 'node:path';
import { projectRoot } from '../../core/models/defaultModel.js';

/** Builds the renderer with the same Vite config the Electron build uses (first serve run, e2e setup). */
export async function buildRenderer(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(projectRoot(), 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}
