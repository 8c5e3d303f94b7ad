/** Which pages may talk to main: our renderer only. Pure, so it is tested without Electron. */

/** True when `url` is our renderer page (same file / same dev-server origin), nothing else. */
export function isOwnRendererUrl(url: string | undefined, ownUrl: string): boolean {
  if (!url) return false;
  try {
    const a = new URL(url);
    const b = new URL(ownUrl);
    if (b.protocol === 'file:') return a.protocol === 'file:' && a.pathname === b.pathname;
    return a.origin === b.origin;
  } catch {
    return false;
  }
}

/**
 * The dev server's URL (electron-vite dev) is honoured only in an unpackaged app and only on loopback;
 * a packaged app always loads its own files, whatever ELECTRON_RENDERER_URL says.
 */
export function devRendererUrl(env: string | undefined, packaged: boolean): string | undefined {
  if (packaged || !env) return undefined;
  try {
    const u = new URL(env);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) ? env : undefined;
  } catch {
    return undefined;
  }
}

/** Sites a link in the app may open in the system browser (model pages, licences, the project), after the user confirms. */
export const EXTERNAL_LINK_HOSTS = ['huggingface.co', 'github.com', 'civitai.com', 'creativecommons.org', 'opensource.org'];

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password && EXTERNAL_LINK_HOSTS.some((h) => u.hostname === h || u.hostname.endsWith(`.${h}`));
  } catch {
    return false;
  }
}
