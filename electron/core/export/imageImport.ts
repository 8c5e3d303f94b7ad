import { randomUUID } from 'node:crypto';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type RasterLayer } from '../../contract/document.js';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { readRgba } from '../image/io.js';
import { describeGeneration } from './generationMetadata.js';
import { ImportedImages, type DocumentImportOptions, type ImportedDocument } from './importedImages.js';
import { parseA1111Parameters, readImageMetadata } from './pngMetadata.js';

/**
 * A flat image (PNG, JPEG, WebP) opened as a one-layer document. Generation metadata, ours or
 * A1111's, becomes the layer's source and name, so a generated PNG reopens knowing what made it.
 */
export async function importImage(bytes: Uint8Array, options: DocumentImportOptions = {}): Promise<ImportedDocument> {
  // The codec's rules: the size limit and memory budget before decoding, EXIF orientation.
  const pixels = await readRgba(bytes, options.label ?? 'the image');
  const meta = await readImageMetadata(bytes).catch(() => ({}) as Awaited<ReturnType<typeof readImageMetadata>>);
  let source: RasterLayer['source'];
  if (meta.atelier) {
    source = { model: meta.atelier.model, settings: { ...meta.atelier.settings, seed: meta.atelier.seed } };
  } else if (meta.parameters) {
    const parsed = parseA1111Parameters(meta.parameters);
    // Only a complete A1111 record becomes settings; a partial one stays out rather than being guessed.
    const settings = GenerationSettingsSchema.safeParse(parsed.settings);
    if (settings.success) source = { ...(parsed.model ? { model: parsed.model } : {}), settings: settings.data };
  }
  const images = new ImportedImages();
  const imageId = await images.add(pixels);
  const layer: RasterLayer = {
    id: 'image-1', kind: 'raster',
    name: (source?.settings ? describeGeneration(source.settings, source.settings.seed) : options.name ?? 'Image').slice(0, 255),
    x: 0, y: 0, width: pixels.width, height: pixels.height, opacity: 1, visible: true, blendMode: 'normal', imageId,
    ...(source ? { source } : {}),
  };
  const document: AtelierDocument = {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: randomUUID(), name: (options.name ?? 'Image').slice(0, 255),
    width: pixels.width, height: pixels.height, layers: [layer],
    generationFrame: { x: 0, y: 0, width: pixels.width, height: pixels.height }, historyEntryIds: [],
  };
  return { document, images: images.images, warnings: [] };
}
