import type { HistoryEntry } from '../../contract/api.js';
import type { HistoryStore } from '../store/historyStore.js';
import type { GenerationRecord, HistoryFilter } from '../store/types.js';

/** The History panel's filters (search words, model, date range, favourites). */
export type HistoryListFilter = Pick<HistoryFilter, 'query' | 'model' | 'from' | 'to' | 'favouritesOnly'>;

/** What the backend needs from the prompt history beyond the generation service: page a document's rows. */
export interface HistoryRecorder {
  list(documentId: string | undefined, cursor: string | undefined, limit: number, filter?: HistoryListFilter): Promise<{ entries: HistoryEntry[]; nextCursor?: string; total: number }>;
}

/** The SQLite history store behind the panel; one row per output image. */
export class StoreHistory implements HistoryRecorder {
  constructor(private readonly store: HistoryStore) {}

  async list(documentId: string | undefined, cursor: string | undefined, limit: number, extra: HistoryListFilter = {}) {
    const filter = { ...extra, documentId, status: 'done' as const };
    const page = this.store.list({ ...filter, cursor, limit });
    return { entries: page.entries.flatMap(rows), nextCursor: page.nextCursor, total: this.store.count(filter) };
  }
}

function rows(e: GenerationRecord): HistoryEntry[] {
  return e.images.map((img) => ({
    id: e.id, imageId: img.imageId, prompt: e.settings.prompt, seed: img.seed, mode: e.settings.mode,
    createdAt: e.createdAt, documentId: e.documentId, width: e.settings.width, height: e.settings.height,
    model: e.model.name, favourite: e.favourite, origin: e.origin, settings: { ...e.settings, seed: img.seed, batch: 1 },
  }));
}
