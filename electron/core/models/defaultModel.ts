import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The embedded demo model, relative to the project (dev) or the app's resources (packaged). */
export const DEMO_MODEL_RELATIVE = join('native-models', 'demo', 'atelier-shapes-128');
export const DEMO_MODEL_LABEL = 'Demo · shapes, 128 px';

/** Walks up from this file to the folder holding package.json: works from sources (tsx) and bundles. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/**
 * The model used when the user chose none: `ATELIER_DEFAULT_MODEL`, else the demo model shipped
 * with the app (electron-builder copies native-models/demo into resources), else undefined.
 */
export function defaultModelDir(resourcesPath?: string): string | undefined {
  const candidates = [
    process.env['ATELIER_DEFAULT_MODEL'],
    resourcesPath ? join(resourcesPath, DEMO_MODEL_RELATIVE) : undefined,
    join(projectRoot(), DEMO_MODEL_RELATIVE),
  ];
  for (const c of candidates) {
    if (c && existsSync(join(c, 'model_index.json'))) return resolve(c);
  }
  return undefined;
}
