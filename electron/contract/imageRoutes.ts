/**
 * Where pixels are fetched by URL: stored images, their thumbnails and a running job's latest preview.
 * One table for both hosts: Electron serves `atelier://<path>`, serve `/<path>`; both resolve a path
 * with `parseImageRoute` and core/jobs/imageRouteResolver.ts. Pure: no Node, no DOM.
 */
export const IMAGE_ROUTES = {
  /** A stored PNG by its SHA-256. */
  image: { segment: 'images', id: /^[0-9a-f]{64}$/, ext: 'png' },
  /** A 128 px WebP of a stored image, for list rows. */
  thumb: { segment: 'thumbs', id: /^[0-9a-f]{64}$/, ext: 'webp' },
  /** A running job's latest step preview (or a live draft), small PNG. */
  preview: { segment: 'previews', id: /^job-[0-9a-f]{16}$/, ext: 'png' },
} as const;
export type ImageRouteKind = keyof typeof IMAGE_ROUTES;

/** `images/<id>.png` (no leading slash): each host puts its own origin in front. */
export function imageRoutePath(kind: ImageRouteKind, id: string): string {
  const r = IMAGE_ROUTES[kind];
  return `${r.segment}/${id}.${r.ext}`;
}

/** The route a URL path names (leading slashes ignored), or null for anything else. */
export function parseImageRoute(path: string): { kind: ImageRouteKind; id: string } | null {
  const m = /^\/*([a-z]+)\/([^/]+)$/.exec(path);
  if (!m) return null;
  for (const kind of Object.keys(IMAGE_ROUTES) as ImageRouteKind[]) {
    const r = IMAGE_ROUTES[kind];
    if (m[1] !== r.segment || !m[2].endsWith(`.${r.ext}`)) continue;
    const id = m[2].slice(0, -(r.ext.length + 1));
    return r.id.test(id) ? { kind, id } : null;
  }
  return null;
}
