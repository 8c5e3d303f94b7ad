import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { IMAGE_SCHEME } from '../contract/bridge.js';
import { resolveImageRoute, type ImageRouteSource } from '../core/jobs/imageRouteResolver.js';

/** `atelier://images/<sha256>.png`, `thumbs/…webp`, `previews/<jobId>.png`: pixels reach the renderer by URL. */
export const SCHEME = IMAGE_SCHEME;

/** Must run before app 'ready'. */
export function registerSchemePrivileges(): void {
  // corsEnabled + an allow-origin header: the renderer (file://) reads these pixels back from canvases
  // (init images, masks, exports); without CORS the canvas would be tainted and getImageData would throw.
  protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

const HEADERS = { 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' };

/** The same routes as serve's HTTP (core/jobs/imageRouteResolver.ts); the URL's host is the route's first segment. */
export function handleImageProtocol(source: ImageRouteSource): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const answer = await resolveImageRoute(source, `${url.host}${url.pathname}`);
    if (!answer || answer.kind === 'missing') return new Response('not found', { status: 404 });
    const headers = { ...HEADERS, 'content-type': answer.type, 'cache-control': answer.cache };
    if (answer.kind === 'bytes') return new Response(new Uint8Array(answer.bytes), { headers });
    const file = await net.fetch(pathToFileURL(answer.path).toString());
    return new Response(file.body, { headers });
  });
}
