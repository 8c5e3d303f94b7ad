import { parseImageRoute } from '../../contract/imageRoutes.js';
import type { ImageStore } from '../store/imageStore.js';

/** What an image route answers: a file to stream, bytes in memory, or a one-line refusal. */
export type ImageRouteAnswer =
  | { kind: 'file'; path: string; type: string; cache: string }
  | { kind: 'bytes'; bytes: Buffer; type: string; cache: string }
  | { kind: 'missing'; status: 404 | 500; message: string };

/** The parts of the studio backend a route reads. */
export interface ImageRouteSource {
  images: Pick<ImageStore, 'has' | 'path' | 'thumbnail'>;
  preview(jobId: string): Buffer | undefined;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The one resolver of image URLs (contract/imageRoutes.ts) for both hosts: Electron's `atelier://`
 * protocol and serve's HTTP. Null when `path` is no image route at all (the host answers it otherwise).
 */
export async function resolveImageRoute(source: ImageRouteSource, path: string): Promise<ImageRouteAnswer | null> {
  const route = parseImageRoute(path);
  if (!route) return null;
  switch (route.kind) {
    case 'image':
      if (!source.images.has(route.id)) return { kind: 'missing', status: 404, message: 'no such image' };
      return { kind: 'file', path: source.images.path(route.id), type: 'image/png', cache: IMMUTABLE };
    case 'thumb': {
      // History rows: a 128 px WebP rendered once and cached by the image store.
      if (!source.images.has(route.id)) return { kind: 'missing', status: 404, message: 'no such image' };
      const file = await source.images.thumbnail(route.id, 128).catch(() => null);
      if (!file) return { kind: 'missing', status: 500, message: 'the thumbnail cannot be made from this image' };
      return { kind: 'file', path: file, type: 'image/webp', cache: IMMUTABLE };
    }
    case 'preview': {
      const png = source.preview(route.id);
      if (!png) return { kind: 'missing', status: 404, message: 'no preview' };
      return { kind: 'bytes', bytes: png, type: 'image/png', cache: 'no-store' };
    }
  }
}
