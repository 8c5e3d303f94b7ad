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
