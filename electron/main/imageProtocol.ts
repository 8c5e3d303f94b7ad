import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import type { StudioBackend } from '../core/jobs/studioBackend.js';

/** `atelier://image/<sha256>.png` and `atelier://preview/<jobId>.png`: pixels reach the renderer by URL. */
export const SCHEME = 'atelier';

/** Must run before app 'ready'. */
export function registerSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function handleImageProtocol(backend: StudioBackend): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const image = /^\/([0-9a-f]{64})\.png$/.exec(url.pathname);
    if (url.host === 'image' && image && backend.images.has(image[1])) {
      return net.fetch(pathToFileURL(backend.images.path(image[1])).toString());
    }
    const preview = /^\/(job-[0-9a-f]{16})\.png$/.exec(url.pathname);
    if (url.host === 'preview' && preview) {
      const png = backend.preview(preview[1]);
      if (png) return new Response(new Uint8Array(png), { headers: { 'content-type': 'image/png', 'cache-control': 'no-store' } });
    }
    return new Response('not found', { status: 404 });
  });
}
