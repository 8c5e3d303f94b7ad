import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The Electron executable, or why there is none (ELECTRON_SKIP_BINARY_DOWNLOAD leaves the package without dist/). */
export function electronBinary(): { path: string } | { reason: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path !== 'string') return { reason: 'the electron package did not resolve to an executable path' };
    if (!existsSync(path)) return { reason: `no Electron binary at ${path}` };
    return { path };
  } catch (e) {
    return { reason: `no Electron binary installed (${(e as Error).message.split('\n')[0]})` };
  }
}
