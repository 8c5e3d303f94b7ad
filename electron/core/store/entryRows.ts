import { GenerationSettingsSchema, type GenerationSettings } from '../../contract/generation.js';
import type { PhaseTimings } from '../engine/types.js';
import {
  HISTORY_ORIGINS,
  HistoryError,
  type GenerationRecord,
  type HistoryImage,
  type HistoryOrigin,
  type HistoryStatus,
} from './types.js';

/** Mapping between `entries` rows and GenerationRecord objects, plus the page cursor format. */

export interface EntryRow {
  seq: number;
  id: string;
  created_at: number;
  updated_at: number;
  status: HistoryStatus;
  failure_reason: string | null;
  settings_json: string;
  model_name: string;
  model_hash: string | null;
  provider: string | null;
  timings_json: string | null;
  parent_id: string | null;
  document_id: string | null;
  init_image_id: string | null;
  mask_image_id: string | null;
  favourite: number;
  origin: string;
}

export const ENTRY_COLUMNS =
  'e.seq, e.id, e.created_at, e.updated_at, e.status, e.failure_reason, e.settings_json, e.model_name, ' +
  'e.model_hash, e.provider, e.timings_json, e.parent_id, e.document_id, ' +
  'e.init_image_id, e.mask_image_id, e.favourite, e.origin';

export function rowToEntry(row: EntryRow, images: HistoryImage[]): GenerationRecord {
  const entry: GenerationRecord = {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: row.status,
    settings: readSettings(row.settings_json),
    model: row.model_hash ? { name: row.model_name, hash: row.model_hash } : { name: row.model_name },
    images,
    favourite: row.favourite !== 0,
    origin: (HISTORY_ORIGINS as readonly string[]).includes(row.origin) ? (row.origin as HistoryOrigin) : 'app',
  };
  if (row.failure_reason !== null) entry.failureReason = row.failure_reason;
  if (row.provider !== null) entry.provider = row.provider;
  if (row.timings_json !== null) entry.timings = JSON.parse(row.timings_json) as PhaseTimings;
  if (row.parent_id !== null) entry.parentId = row.parent_id;
  if (row.document_id !== null) entry.documentId = row.document_id;
  if (row.init_image_id !== null) entry.initImageId = row.init_image_id;
  if (row.mask_image_id !== null) entry.maskImageId = row.mask_image_id;
  return entry;
}

/** Reading never throws: settings written by an older schema get today's defaults where they parse. */
function readSettings(json: string): GenerationSettings {
  const raw: unknown = JSON.parse(json);
  const parsed = GenerationSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : (raw as GenerationSettings);
}

/** Validates and completes settings with the schema's defaults; one readable line on failure. */
export function checkSettings(input: unknown): GenerationSettings {
  const parsed = GenerationSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new HistoryError(`invalid generation settings: ${where}${issue.message}`);
}

/** Pages continue below the last seq shown (seqs sort like time, see seqOrder.ts). */
export function encodeCursor(seq: number): string {
  return seq.toString(36);
}

export function decodeCursor(s: string): number {
  if (!/^[0-9a-z]{1,12}$/.test(s)) throw new HistoryError('invalid page cursor');
  return parseInt(s, 36);
}
