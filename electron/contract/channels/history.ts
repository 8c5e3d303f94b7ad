import { z } from 'zod';
import { carries, channel, noArgs } from '../channel.js';
import { GenerationSettingsSchema } from '../generation.js';
import { DocumentIdSchema, HistoryIdSchema, ImageIdSchema } from '../ids.js';

/** The History panel: one row per generated image, favourites, delete, re-run, PNG import. */

export const HistoryEntrySchema = z.object({
  id: z.string(),
  imageId: ImageIdSchema,
  width: z.number().int(),
  height: z.number().int(),
  prompt: z.string(),
  seed: z.number().int(),
  mode: z.string(),
  createdAt: z.number(),
  documentId: z.string().optional(),
  /** History panel: model name, favourite flag and the full settings ("Use settings", filters). */
  model: z.string().optional(),
  favourite: z.boolean().optional(),
  settings: GenerationSettingsSchema.optional(),
  /** Where the entry came from ('live': applied or finished from a live draft). */
  origin: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const historyChannels = {
  'history:list': channel({
    method: 'listHistory',
    request: z.object({
      documentId: z.string().max(200).optional(),
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(500).default(100),
      /** Prompt words (each a prefix, all must match), exact model name, createdAt range in ms, favourites. */
      query: z.string().max(1000).optional(),
      model: z.string().max(200).optional(),
      from: z.number().nonnegative().optional(),
      to: z.number().nonnegative().optional(),
      favouritesOnly: z.boolean().optional(),
    }).strict(),
    response: carries<{ entries: HistoryEntry[]; nextCursor?: string; total: number }>(),
  }),
  'history:models': channel({
    method: 'listHistoryModels',
    request: z.object({}).strict(),
    response: carries<{ models: { name: string; count: number }[] }>(),
    args: noArgs,
  }),
  'history:favourite': channel({
    method: 'setHistoryFavourite',
    /** `imageId`: only that image of a batch (else the whole entry). */
    request: z.object({ id: HistoryIdSchema, favourite: z.boolean(), imageId: ImageIdSchema.optional() }).strict(),
    response: carries<{ id: string; favourite: boolean }>(),
    args: (id: string, favourite: boolean, imageId?: string) => ({ id, favourite, ...(imageId ? { imageId } : {}) }),
  }),
  /**
   * `keepImageIds`: images the open document (or its undo steps) still uses; their files stay.
   * `imageId`: only that image of a batch (the entry goes with its last image).
   */
  'history:delete': channel({
    method: 'deleteHistoryEntry',
    request: z.object({ id: HistoryIdSchema, imageId: ImageIdSchema.optional(), keepImageIds: z.array(ImageIdSchema).max(100_000).default([]) }).strict(),
    response: carries<{ id: string }>(),
  }),
  /**
   * Re-run exactly (same settings, seed, model, input pixels) as a new job; it lands in `documentId`'s history.
   * `imageId`: re-run only that image of a batch (its seed, batch 1).
   */
  'history:rerun': channel({
    method: 'rerunHistoryEntry',
    request: z.object({ id: HistoryIdSchema, imageId: ImageIdSchema.optional(), documentId: DocumentIdSchema.optional() }).strict(),
    response: carries<{ jobId: string }>(),
  }),
  /** A PNG uploaded with `images:put` whose generation metadata becomes a history entry. */
  'history:import': channel({
    method: 'importHistoryPng',
    request: z.object({ imageId: ImageIdSchema, documentId: DocumentIdSchema.optional() }).strict(),
    response: carries<{ entryId: string; created: boolean; defaulted: string[] }>(),
  }),
};
