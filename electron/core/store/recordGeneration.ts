import { EngineError, type GenerateResult } from '../engine/types.js';
import type { GenerationMetadata } from '../export/generationMetadata.js';
import { encodePng } from '../export/pngMetadata.js';
import type { HistoryStore } from './historyStore.js';
import type { CreateEntryInput, HistoryEntry } from './types.js';

/**
 * Runs one generation job as a history entry: running → done (PNGs with metadata in the image
 * store), failed (with the engine's message) or cancelled. Hosts without their own job plumbing
 * (the CLI) wrap their engine call in this; the app's backend does the same steps itself.
 */

export interface RecordedImage {
  imageId: string;
  seed: number;
  /** The stored PNG (with `parameters` and `atelier` metadata), byte for byte. */
  png: Buffer;
}

export interface RecordedGeneration {
  entry: HistoryEntry;
  images: RecordedImage[];
  result: GenerateResult;
}

export async function recordGeneration(
  store: HistoryStore,
  input: Omit<CreateEntryInput, 'status'>,
  run: () => Promise<GenerateResult>,
): Promise<RecordedGeneration> {
  const entry = store.createEntry({ ...input, status: 'running' });
  let result: GenerateResult;
  try {
    result = await run();
  } catch (error) {
    if (error instanceof EngineError && error.code === 'cancelled') store.cancelEntry(entry.id);
    else store.failEntry(entry.id, error instanceof Error ? error.message : String(error));
    throw error;
  }
  try {
    const createdAt = new Date(entry.createdAt).toISOString();
    const images: RecordedImage[] = [];
    for (const { image, seed } of result.images) {
      const meta: GenerationMetadata = {
        settings: entry.settings, model: entry.model.name, seed, createdAt, app: 'atelier', provider: result.provider,
      };
      if (entry.model.hash) meta.modelHash = entry.model.hash;
      const png = await encodePng(image, meta);
      images.push({ imageId: await store.images.put(png), seed, png });
    }
    const done = store.completeEntry(entry.id, {
      images: images.map(({ imageId, seed }) => ({ imageId, seed })), timings: result.timings, provider: result.provider,
    });
    return { entry: done, images, result };
  } catch (error) {
    // The pixels exist but could not be kept (disk full): say so on the entry rather than leave it running.
    store.failEntry(entry.id, `could not store the result: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}
