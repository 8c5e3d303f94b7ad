import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import type { StudioBackend } from '../core/jobs/studioBackend.js';

/** `atelier://image/<sha256>.png` and `atelier://preview/<jobId>.png`: pixels reach the renderer by URL. */
export const SCHEME = 'atelier';

/** Must run before app 'ready'. */
export function registerSchemePrivileges(): void {
  // corsEnabled + an allow-origin header: the renderer (file://) reads these pixels back from canvases
  // (init images, masks, exports); without CORS the canvas would be tainted and getImageData would throw.
  protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

const HEADERS = { 'content-type': 'image/png', 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' };

export function handleImageProtocol(backend: StudioBackend): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const image = /^\/([0-9a-f]{64})\.png$/.exec(url.pathname);
    if (url.host === 'image' && image && backend.images.has(image[1])) {
      const file = await net.fetch(pathToFileURL(backend.images.path(image[1])).toString());
      return new Response(file.body, { headers: { ...HEADERS, 'cache-control': 'public, max-age=31536000, immutable' } });
    }
    const thumb = /^\/([0-9a-f]{64})\.webp$/.exec(url.pathname);
    if (url.host === 'thumb' && thumb && backend.images.has(thumb[1])) {
      // History rows: a 128 px WebP rendered once and cached by the image store.
      const path = await backend.images.thumbnail(thumb[1], 128).catch(() => null);
      if (path) {
        const file = await net.fetch(pathToFileURL(path).toString());
        return new Response(file.body, { headers: { ...HEADERS, 'content-type': 'image/webp', 'cache-control': 'public, max-age=31536000, immutable' } });
      }
    }
    const preview = /^\/(job-[0-9a-f]{16})\.png$/.exec(url.pathname);
    if (url.host === 'preview' && preview) {
      const png = backend.preview(preview[1]);
      if (png) return new Response(new Uint8Array(png), { headers: { ...HEADERS, 'cache-control': 'no-store' } });
    }
    return new Response('not found', { status: 404 });
  });
}
