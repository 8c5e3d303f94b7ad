import { join } from 'node:path';
import { projectRoot } from '../../core/models/defaultModel.js';

/**
 * Builds the renderer with the same Vite config the Electron build uses (first serve run, e2e setup).
 * Vite and the renderer's libraries are devDependencies: an install without them (`--omit=dev`) can
 * serve a renderer built beforehand, and says so instead of failing on a module name.
 */
export async function buildRenderer(outDir: string): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(`the renderer is not built in ${outDir} and Vite is not installed (an install without devDependencies): run \`npm install\` and \`npm run build\` first, or pass --renderer DIR`);
  }
  await vite.build({ configFile: join(projectRoot(), 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}
