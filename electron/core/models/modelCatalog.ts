import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SCHEDULER_NAMES } from '../../contract/generation.js';
import { projectRoot } from './defaultModel.js';
import { MODEL_FAMILIES } from '../../contract/modelFamily.js';
import { UserError } from '../../shared/userError.js';

/**
 * The catalogue of models Atelier can download (`native-models/catalog.json`): where each file lives,
 * how big it is and, where the publisher states it, its SHA-256. Loading always validates, so a hand
 * edit that breaks the file fails in one line instead of half-way through a 10 GB download.
 */

/** Default host; tests and mirrors pass their own base URL, and nothing else about a pull changes. */
export const HUGGING_FACE = 'https://huggingface.co';

/** A relative path inside a model folder: no absolute paths, no `..`, no backslashes. */
const RelativePathSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'file path must be relative, with / separators')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'file path must not contain . or .. segments');

export const CatalogFileSchema = z.object({
  path: RelativePathSchema,
  /** Exact bytes when published, else null (the server's Content-Length is used). */
  size: z.number().int().nonnegative().nullable(),
  /** Rounded size from the repository page (or an estimate), for the disk-space check before starting. */
  approxBytes: z.number().int().nonnegative(),
  /** Lower-case hex SHA-256 when published, else null (not published: checked by length only). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits').nullable(),
  /** A file some exports have and others do not: a 404 skips it instead of failing the pull. */
  optional: z.boolean().optional(),
}).strict();
export type CatalogFile = z.infer<typeof CatalogFileSchema>;

export const CatalogEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'id must be lower-case letters, digits and dashes'),
  label: z.string().min(1).max(120),
  kind: z.enum(['pipeline', 'preview-vae', 'upscaler', 'controlnet']),
  /** SD family (pipelines and preview VAEs; upscalers have none). */
  family: z.enum(MODEL_FAMILIES).optional(),
  /** Upscalers: what the model does, written as upscaler.json beside it when pulled. */
  upscaler: z.object({
    scale: z.number().int().min(1).max(16),
    range: z.tuple([z.number(), z.number()]).optional(),
    tile: z.number().int().min(16).max(4096).optional(),
  }).strict().optional(),
  source: z.object({
    repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'repo must be owner/name'),
    /** Files live under this folder of the repo (ControlNet collections keep one net per folder); placed without it. */
    subfolder: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'subfolder must be a relative path').optional(),
    /** A commit hash (pinned) or a branch name. */
    revision: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    page: z.string().url(),
  }).strict(),
  license: z.object({ id: z.string().min(1), nonCommercial: z.boolean(), url: z.string().url() }).strict(),
  recommended: z.object({
    steps: z.number().int().min(1).max(150),
    guidance: z.number().min(0).max(30),
    scheduler: z.enum(SCHEDULER_NAMES),
    width: z.number().int().multipleOf(8).min(64).max(4096),
    height: z.number().int().multipleOf(8).min(64).max(4096),
  }).strict().nullable(),
  notes: z.array(z.string().min(1)),
  sources: z.array(z.string().url()).min(1),
  files: z.array(CatalogFileSchema).min(1),
}).strict().superRefine((entry, ctx) => {
  const seen = new Set<string>();
  for (const f of entry.files) {
    if (seen.has(f.path)) ctx.addIssue({ code: 'custom', message: `${entry.id}: file ${f.path} is listed twice` });
    seen.add(f.path);
  }
  if (entry.kind !== 'upscaler' && !entry.family) ctx.addIssue({ code: 'custom', message: `${entry.id}: a ${entry.kind} needs a family` });
  if (entry.kind === 'upscaler') {
    if (!entry.upscaler) ctx.addIssue({ code: 'custom', message: `${entry.id}: an upscaler needs "upscaler": {"scale": N}` });
    if (entry.files.filter((f) => f.path.endsWith('.onnx') && !f.path.includes('/')).length !== 1) {
      ctx.addIssue({ code: 'custom', message: `${entry.id}: an upscaler is one .onnx file at the top of its folder` });
    }
  }
  if (entry.kind === 'controlnet' && !entry.files.some((f) => (f.path === 'model.onnx' || f.path === 'controlnet/model.onnx') && !f.optional)) {
    ctx.addIssue({ code: 'custom', message: `${entry.id}: a ControlNet needs model.onnx or controlnet/model.onnx (not optional)` });
  }
  if (entry.kind === 'pipeline') {
    for (const required of ['model_index.json', 'unet/model.onnx', 'text_encoder/model.onnx', 'vae_decoder/model.onnx', 'tokenizer/vocab.json', 'tokenizer/merges.txt']) {
      const f = entry.files.find((x) => x.path === required);
      if (!f || f.optional) ctx.addIssue({ code: 'custom', message: `${entry.id}: a pipeline needs ${required} (not optional)` });
    }
  }
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const ModelCatalogSchema = z.object({
  type: z.literal('atelier-model-catalog'),
  version: z.literal(1),
  note: z.string().optional(),
  models: z.array(CatalogEntrySchema).min(1),
}).strict().superRefine((c, ctx) => {
  const ids = new Set<string>();
  for (const m of c.models) {
    if (ids.has(m.id)) ctx.addIssue({ code: 'custom', message: `model id ${m.id} is listed twice` });
    ids.add(m.id);
  }
});
export type ModelCatalog = z.infer<typeof ModelCatalogSchema>;

export class CatalogError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export function defaultCatalogPath(resourcesPath?: string): string {
  return join(resourcesPath ?? projectRoot(), 'native-models', 'catalog.json');
}

/** Validates an already-parsed catalogue; the first problem becomes a one-line CatalogError. */
export function parseCatalog(value: unknown, where = 'catalogue'): ModelCatalog {
  const r = ModelCatalogSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new CatalogError(`${where} is invalid${at}: ${issue?.message ?? 'unknown problem'}`);
  }
  return r.data;
}

export function loadCatalog(path = defaultCatalogPath()): ModelCatalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CatalogError(`model catalogue not found: ${path}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CatalogError(`model catalogue is not valid JSON: ${path}`);
  }
  return parseCatalog(value, path);
}

export function findEntry(catalog: ModelCatalog, id: string): CatalogEntry {
  const entry = catalog.models.find((m) => m.id === id);
  if (!entry) throw new CatalogError(`no model "${id}" in the catalogue (known: ${catalog.models.map((m) => m.id).join(', ')})`);
  return entry;
}

/** `<base>/<owner>/<name>/resolve/<revision>/<path>`: the Hugging Face download URL, or the same shape on a mirror. */
export function fileUrl(entry: CatalogEntry, file: CatalogFile, baseUrl = HUGGING_FACE): string {
  const base = baseUrl.replace(/\/+$/, '');
  const path = [...(entry.source.subfolder?.split('/') ?? []), ...file.path.split('/')].map(encodeURIComponent).join('/');
  return `${base}/${entry.source.repo}/resolve/${encodeURIComponent(entry.source.revision)}/${path}`;
}

/** What the disk-space check reserves: exact sizes where known, else the page's rounded size. */
export function expectedBytes(entry: CatalogEntry): number {
  return entry.files.reduce((sum, f) => sum + (f.size ?? f.approxBytes), 0);
}
