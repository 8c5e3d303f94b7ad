import type { GenerationSettings } from '../../contract/generation.js';
import type { HistoryEntry } from '../../contract/api.js';
import type { PhaseTimings } from '../engine/types.js';
import type { HistoryStore } from '../store/historyStore.js';
import type { HistoryFilter, HistoryOrigin, HistoryEntry as StoredEntry } from '../store/types.js';

/** The History panel's filters (search words, model, date range, favourites). */
export type HistoryListFilter = Pick<HistoryFilter, 'query' | 'model' | 'from' | 'to' | 'favouritesOnly'>;
/** Inputs kept so a re-run is exact, and the entry a re-run came from. */
export type BeginExtras = { initImageId?: string; maskImageId?: string; parentId?: string; origin?: HistoryOrigin };
/** What the entry keeps of a finished job beside its images: phase timings and the model files' fingerprint. */
export type CompleteExtras = { timings?: PhaseTimings; modelHash?: string };

/** What the backend needs from the prompt history: record a job, finish or fail it, page a document's rows. */
export interface HistoryRecorder {
  begin(input: { settings: GenerationSettings; model: string; documentId?: string } & BeginExtras): Promise<string>;
  complete(id: string, images: { imageId: string; seed: number }[], provider: string, extra?: CompleteExtras): Promise<void>;
  fail(id: string, status: 'failed' | 'cancelled', reason: string): Promise<void>;
  list(documentId: string | undefined, cursor: string | undefined, limit: number, filter?: HistoryListFilter): Promise<{ entries: HistoryEntry[]; nextCursor?: string; total: number }>;
}

/** The SQLite history store behind the recorder; one panel row per output image. */
export class StoreHistory implements HistoryRecorder {
  constructor(private readonly store: HistoryStore, private readonly origin: 'app' | 'serve') {}

  async begin(input: { settings: GenerationSettings; model: string; documentId?: string } & BeginExtras): Promise<string> {
    return this.store.createEntry({
      settings: input.settings, model: { name: input.model }, status: 'running', documentId: input.documentId, origin: input.origin ?? this.origin,
      initImageId: input.initImageId, maskImageId: input.maskImageId, parentId: input.parentId,
    }).id;
  }

  async complete(id: string, images: { imageId: string; seed: number }[], provider: string, extra: CompleteExtras = {}): Promise<void> {
    this.store.completeEntry(id, { images, provider, ...extra });
  }

  async fail(id: string, status: 'failed' | 'cancelled', reason: string): Promise<void> {
    if (status === 'cancelled') this.store.cancelEntry(id);
    else this.store.failEntry(id, reason);
  }

  async list(documentId: string | undefined, cursor: string | undefined, limit: number, extra: HistoryListFilter = {}) {
    const filter = { ...extra, documentId, status: 'done' as const };
    const page = this.store.list({ ...filter, cursor, limit });
    return { entries: page.entries.flatMap(rows), nextCursor: page.nextCursor, total: this.store.count(filter) };
  }
}

function rows(e: StoredEntry): HistoryEntry[] {
  return e.images.map((img) => ({
    id: e.id, imageId: img.imageId, prompt: e.settings.prompt, seed: img.seed, mode: e.settings.mode,
    createdAt: e.createdAt, documentId: e.documentId, width: e.settings.width, height: e.settings.height,
    model: e.model.name, favourite: e.favourite, origin: e.origin, settings: { ...e.settings, seed: img.seed, batch: 1 },
  }));
}
