import sharp from 'sharp';
import type { GenerationSettingsInput } from '../../contract/generation.js';
import { parseA1111Parameters, readPngMetadata } from '../export/pngMetadata.js';
import { checkSettings } from './entryRows.js';
import type { HistoryStore } from './historyStore.js';
import { looksLikePng } from './imageStore.js';
import { HistoryError, type GenerationRecord } from './types.js';
import { toUserMessage } from '../../shared/userError.js';
import { MAX_IMAGE_PIXELS } from '../image/io.js';

/**
 * Adds a PNG that carries generation metadata to the history as a finished entry: our `atelier`
 * JSON chunk when present (exact), else A1111 `parameters` text (what it names; the rest defaulted).
 * The entry stands for this one image, so its settings carry the image's own seed and batch 1.
 */

export interface ImportOptions {
  documentId?: string;
  /** Used when the file says nothing about when it was made (default now). */
  createdAt?: number;
}

export interface ImportResult {
  entry: GenerationRecord;
  /** False when the same image was already in the history; that entry is returned unchanged. */
  created: boolean;
  /** Settings the file did not carry and got a default, e.g. ["steps", "scheduler"]. */
  defaulted: string[];
}

/** What A1111 files leave out, filled so "re-run" has something sensible to run. */
const FALLBACKS = { steps: 20, guidance: 7, scheduler: 'euler', seed: 0 } as const;

export async function importPng(store: HistoryStore, bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportResult> {
  if (!looksLikePng(bytes)) throw new HistoryError('not a PNG file');
  const { width, height } = await decodedSize(bytes);
  const meta = readPngMetadata(bytes);

  let settings: GenerationSettingsInput;
  let model: { name: string; hash?: string };
  let provider: string | undefined;
  let createdAt = options.createdAt;
  const defaulted: string[] = [];
  if (meta.atelier) {
    const a = meta.atelier;
    settings = { ...a.settings, seed: a.seed, batch: 1 };
    model = a.modelHash ? { name: a.model, hash: a.modelHash } : { name: a.model };
    provider = a.provider;
    const when = a.createdAt ? Date.parse(a.createdAt) : NaN;
    if (Number.isFinite(when) && when >= 0) createdAt = when;
  } else if (meta.parameters !== undefined) {
    const p = parseA1111Parameters(meta.parameters);
    const s = p.settings;
    for (const key of ['steps', 'guidance', 'scheduler', 'seed'] as const) {
      if (s[key] === undefined) defaulted.push(key);
    }
    if (s.width === undefined) defaulted.push('size');
    settings = {
      mode: s.mode ?? 'txt2img',
      prompt: s.prompt ?? '',
      negativePrompt: s.negativePrompt ?? '',
      width: s.width ?? width,
      height: s.height ?? height,
      steps: s.steps ?? FALLBACKS.steps,
      guidance: s.guidance ?? FALLBACKS.guidance,
      scheduler: s.scheduler ?? FALLBACKS.scheduler,
      seed: p.seed ?? FALLBACKS.seed,
      batch: 1,
      ...(s.strength !== undefined ? { strength: s.strength } : {}),
      ...(s.maskFeather !== undefined ? { maskFeather: s.maskFeather } : {}),
    };
    model = p.modelHash ? { name: p.model ?? 'unknown', hash: p.modelHash } : { name: p.model ?? 'unknown' };
    if (!p.model) defaulted.push('model');
  } else {
    throw new HistoryError('the PNG carries no generation metadata (no "parameters" or "atelier" text chunk)');
  }

  // Refuse settings we could never run before the file lands in the store, so nothing is left behind.
  checkSettings(settings);
  const imageId = await store.images.put(bytes);
  const existing = store.list({ imageId, limit: 1 }).entries[0];
  if (existing) return { entry: existing, created: false, defaulted: [] };

  const entry = store.batch(() => {
    const e = store.createEntry({
      settings, model, status: 'running', origin: 'import', documentId: options.documentId, createdAt, provider,
    });
    return store.completeEntry(e.id, { images: [{ imageId, seed: Number(settings.seed) }] });
  });
  return { entry, created: true, defaulted };
}

/** Decodes the whole image once, so a truncated or damaged PNG is refused before it enters the store. */
async function decodedSize(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  try {
    const { info } = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS }).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height };
  } catch (e) {
    throw new HistoryError(`the PNG cannot be decoded: ${toUserMessage(e)}`);
  }
}
