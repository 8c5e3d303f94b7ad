import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Atelier keeps its history database and images when nobody says otherwise.
 * The app, the CLI and `serve` all resolve through here so they share one history.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') {
    // Roaming AppData, like Electron's app.getPath('appData').
    return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Atelier');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Atelier');
  // XDG base directories; an empty or relative XDG_DATA_HOME must be ignored per the spec.
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share');
  return join(base, 'atelier');
}

/** `--data DIR` wins, then ATELIER_DATA_DIR, then the platform default. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.ATELIER_DATA_DIR) return env.ATELIER_DATA_DIR;
  return defaultDataDir(env);
}
