import type { ApiParsedRequest, ApiResponses, GenerationStart, HistoryEntry } from '../../contract/api.js';
import type { HistoryStore } from '../store/historyStore.js';
import type { GenerationRecord } from '../store/types.js';
import { JobError } from './engineHost.js';

/**
 * The History panel's channels: pages of rows, model names for the filter, favourite, delete, exact
 * re-run and PNG import. Kept out of StudioBackend so that file stays about generation and documents.
 * Recording happens in one place only, the generation service; this class reads and edits entries.
 */

/**
 * Images the open document still shows must survive a history delete, though no entry references
 * them any more. The renderer names them per request; the store asks `has` while it deletes.
 */
export class ProtectedImages {
  private ids = new Set<string>();
  readonly has = (imageId: string): boolean => this.ids.has(imageId);

  /** Runs the synchronous `fn` with `ids` protected. */
  during<T>(ids: readonly string[], fn: () => T): T {
    this.ids = new Set(ids);
    try {
      return fn();
    } finally {
      this.ids = new Set();
    }
  }
}

type Start = (req: ApiParsedRequest<'generation:start'> & { parentId?: string }) => Promise<{ jobId: string }>;

export class HistoryChannels {
  constructor(
    private readonly store: HistoryStore,
    private readonly protectedImages: ProtectedImages,
    /** Starts a job exactly as `generation:start` does (history row, events). */
    private readonly start: Start,
    /** Model id (folder) for a name stored in the history, or undefined when not installed. */
    private readonly resolveModel: (name: string) => string | undefined,
  ) {}

  /** A page of finished entries as panel rows (one per output image), with the total for the filter. */
  list({ documentId, cursor, limit, ...extra }: ApiParsedRequest<'history:list'>): ApiResponses['history:list'] {
    const filter = { ...extra, documentId, status: 'done' as const };
    const page = this.store.list({ ...filter, cursor, limit });
    // The panel lists images, so it counts images (a batch of 4 is 4 rows, not 1 job).
    const rows = (e: GenerationRecord) => panelRows(e, extra.favouritesOnly === true);
    return { entries: page.entries.flatMap(rows), nextCursor: page.nextCursor, total: this.store.countImages(filter) };
  }

  models(): ApiResponses['history:models'] {
    return { models: this.store.models() };
  }

  favourite({ id, favourite, imageId }: ApiParsedRequest<'history:favourite'>): ApiResponses['history:favourite'] {
    const e = this.store.setFavourite(id, favourite, imageId);
    return { id: e.id, favourite: imageId ? e.images.some((i) => i.imageId === imageId && i.favourite) : e.favourite };
  }

  /** The entry, or with `imageId` only that image of its batch; files the open document uses stay. */
  delete({ id, imageId, keepImageIds }: ApiParsedRequest<'history:delete'>): ApiResponses['history:delete'] {
    this.protectedImages.during(keepImageIds, () => (imageId ? this.store.deleteImage(id, imageId) : this.store.delete(id)));
    return { id };
  }

  /** Same settings, seed, model and input pixels as the entry: the engine is deterministic, so the same image. */
  async rerun({ id, imageId, documentId }: ApiParsedRequest<'history:rerun'>): Promise<ApiResponses['history:rerun']> {
    const e = this.store.get(id);
    if (!e) throw new JobError('That history entry no longer exists.', 'not-found');
    const image = imageId === undefined ? undefined : e.images.find((i) => i.imageId === imageId);
    if (imageId !== undefined && !image) throw new JobError('That image is no longer in this history entry.', 'not-found');
    // One image of a batch: its own seed (batch item i ran with seed + i), alone.
    const s = image ? { ...e.settings, seed: image.seed, batch: 1 } : e.settings;
    if (s.mode !== 'txt2img' && !e.initImageId) throw new JobError(`This ${s.mode} entry did not keep its input image, so it cannot be re-run exactly.`, 'invalid-input');
    if (s.mode === 'inpaint' && !e.maskImageId) throw new JobError('This inpaint entry did not keep its mask, so it cannot be re-run exactly.', 'invalid-input');
    const modelId = this.resolveModel(e.model.name);
    if (!modelId) throw new JobError(`Model "${e.model.name}" is not installed, so this entry cannot be re-run.`, 'not-found');
    const req: GenerationStart = { modelId, settings: s, initImageId: e.initImageId, maskImageId: e.maskImageId, documentId: documentId ?? e.documentId };
    return this.start({ ...(req as ApiParsedRequest<'generation:start'>), parentId: e.id });
  }

  /** A PNG already uploaded with `images:put` (PNG bytes pass through unchanged, metadata included). */
  async import({ imageId, documentId }: ApiParsedRequest<'history:import'>): Promise<ApiResponses['history:import']> {
    if (!this.store.images.has(imageId)) throw new JobError('The dropped image was not uploaded.', 'not-found');
    const bytes = await this.store.images.read(imageId);
    const r = await this.store.importPng(bytes, { documentId });
    return { entryId: r.entry.id, created: r.created, defaulted: r.defaulted };
  }
}

/** One History panel row per output image of an entry; its settings re-run exactly that image. */
/** One row per image; with `favouritesOnly`, only the images marked favourite. */
function panelRows(e: GenerationRecord, favouritesOnly: boolean): HistoryEntry[] {
  return e.images.filter((img) => !favouritesOnly || img.favourite).map((img) => ({
    id: e.id, imageId: img.imageId, prompt: e.settings.prompt, seed: img.seed, mode: e.settings.mode,
    createdAt: e.createdAt, documentId: e.documentId, width: e.settings.width, height: e.settings.height,
    model: e.model.name, favourite: img.favourite === true, origin: e.origin, settings: { ...e.settings, seed: img.seed, batch: 1 },
  }));
}
