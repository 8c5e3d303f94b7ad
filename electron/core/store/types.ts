import type { GenerationSettings, GenerationSettingsInput } from '../../contract/generation.js';
import type { PhaseTimings } from '../engine/types.js';
import { UserError } from '../../shared/userError.js';

/**
 * The prompt history: plain data types shared by the store, the CLI, `serve` and (via main) the renderer.
 * Times are milliseconds since the Unix epoch; image ids are sha256 hex digests of the PNG bytes.
 */

export const HISTORY_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type HistoryStatus = (typeof HISTORY_STATUSES)[number];

/** Where an entry came from; shown in the UI and used by nothing else. */
/** 'live': applied or finished from a Live mode draft. */
export const HISTORY_ORIGINS = ['app', 'cli', 'serve', 'import', 'live'] as const;
export type HistoryOrigin = (typeof HISTORY_ORIGINS)[number];

export interface HistoryModel {
  name: string;
  /** Hash of the model's files, so "re-run exactly" can tell a changed model apart. */
  hash?: string;
}

export interface HistoryImage {
  imageId: string;
  /** The seed that produced this image (batch item i uses seed + i). */
  seed: number;
  /** Marked favourite on its own (one image of a batch); absent = not. */
  favourite?: boolean;
}

/**
 * One entry of the prompt history as stored: a generation job with its settings, status and output
 * images. The History panel shows it as one contract `HistoryEntry` row per image (jobs/historyChannels.ts).
 */
export interface GenerationRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  status: HistoryStatus;
  /** Set when status is failed, cancelled or interrupted: one line for the user. */
  failureReason?: string;
  /** Everything "re-run exactly" replays, prompt, negative prompt and seed included. */
  settings: GenerationSettings;
  model: HistoryModel;
  provider?: string;
  timings?: PhaseTimings;
  /** Output images in batch order; empty until done. */
  images: HistoryImage[];
  /** img2img / inpaint: the input pixels (PNG in the image store), so a re-run is exact. */
  initImageId?: string;
  /** inpaint: the mask (PNG, gray: white repaints). */
  maskImageId?: string;
  /** Entry this one was branched from (re-run with changes). */
  parentId?: string;
  documentId?: string;
  favourite: boolean;
  origin: HistoryOrigin;
}

export interface CreateEntryInput {
  /** Validated (and defaulted) with GenerationSettingsSchema; bad settings throw HistoryError. */
  settings: GenerationSettingsInput;
  model: HistoryModel;
  /** Default 'queued'. */
  status?: 'queued' | 'running';
  /** Ids from `store.images.put(png)` of the img2img/inpaint inputs; the files must exist. */
  initImageId?: string;
  maskImageId?: string;
  parentId?: string;
  documentId?: string;
  origin?: HistoryOrigin;
  provider?: string;
  /** Default now. Import keeps the time a file carries, tests pin it. */
  createdAt?: number;
}

export interface CompleteEntryInput {
  /** Ids from `store.images.put(png)`; the files must exist. */
  images: HistoryImage[];
  timings?: PhaseTimings;
  provider?: string;
  /** The model hash, when it is only known once the engine loaded the model. */
  modelHash?: string;
}

export interface HistoryFilter {
  /** Words of the prompt; each word matches as a prefix ("wood" finds "wooden"). Any text is safe. */
  query?: string;
  /** Exact model name. */
  model?: string;
  /** createdAt >= from (ms). */
  from?: number;
  /** createdAt < to (ms). */
  to?: number;
  favouritesOnly?: boolean;
  status?: HistoryStatus | readonly HistoryStatus[];
  documentId?: string;
  /** Entries that produced this image. */
  imageId?: string;
}

export interface ListOptions extends HistoryFilter {
  /** Page size, 1..500 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface HistoryPage {
  /** Newest first. */
  entries: GenerationRecord[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** A failure written for the user (bad id, bad settings, impossible transition); hosts print it as one line. */
export class HistoryError extends UserError {
  declare readonly code: HistoryErrorCode;
  constructor(message: string, code: HistoryErrorCode = 'invalid-input') {
    super(message, code);
  }
}
export type HistoryErrorCode = 'invalid-input' | 'not-found' | 'conflict' | 'unavailable';
