import { z } from 'zod';
import type { LoraInfo } from './lora.js';
import { MODEL_FAMILIES } from './modelFamily.js';
import { DocumentSchema, ImageIdSchema, type AtelierDocument } from './document.js';
import { GenerationSettingsSchema } from './generation.js';
import { StylePresetSchema, type StylePreset } from './styles.js';

/**
 * The one API between the renderer and the app core. Every `domain:verb` channel is declared here once
 * with its request schema; Electron main (IPC) and `serve` (WebSocket) register handlers through the same
 * table, and the renderer talks to the `AtelierApi` interface below through either transport.
 * Pure data + zod: no Node, no DOM.
 */

export const ModelSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.enum(MODEL_FAMILIES),
  /** What the picker shows, e.g. "Demo · shapes, 128 px". */
  label: z.string().optional(),
  /** Settings the model was made for; applied when the user picks it. */
  recommended: z
    .object({ steps: z.number(), guidance: z.number(), scheduler: z.string(), width: z.number(), height: z.number() })
    .partial()
    .optional(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

/** An installed ControlNet (issue 20): what settings.controls[].model names; `family` when its config says. */
export const ControlNetSummarySchema = z.object({ id: z.string(), label: z.string(), family: z.enum(MODEL_FAMILIES).optional() });
export type ControlNetSummary = z.infer<typeof ControlNetSummarySchema>;

export const DocumentNameSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[^/\\:*?"<>|\u0000-\u001f]+$/, 'document name must not contain path characters')
  .refine((s) => s !== '.' && s !== '..' && !s.startsWith('.'), 'document name must not start with a dot');

export const JobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
export const HistoryIdSchema = z.string().regex(/^[0-9a-f-]{1,64}$/, 'history id must be hex');

export const GenerationStartSchema = z.object({
  modelId: z.string().min(1).max(200),
  settings: GenerationSettingsSchema,
  /** img2img / inpaint: the frame's pixels, uploaded first with `images:put`. */
  initImageId: ImageIdSchema.optional(),
  /** inpaint: gray PNG, 255 = repaint, uploaded first with `images:put`. */
  maskImageId: ImageIdSchema.optional(),
  documentId: z.string().min(1).max(200).optional(),
  /**
   * Live mode. 'draft': the result stays in memory (no History entry, nothing in the image store) until
   * `generation:keepDraft`; its done event carries `draft` instead of `images`. 'finish': a normal job,
   * recorded with the note that it came from a live draft.
   */
  live: z.enum(['draft', 'finish']).optional(),
});
export type GenerationStart = z.input<typeof GenerationStartSchema>;

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

export const GeneratedImageSchema = z.object({
  imageId: ImageIdSchema,
  width: z.number().int(),
  height: z.number().int(),
  seed: z.number().int(),
  historyEntryId: z.string(),
});
export type GeneratedImageRef = z.infer<typeof GeneratedImageSchema>;

/** Upscale dialog: a super-resolution model; `scale` when its folder declares it (else read when it runs). */
export interface UpscalerSummary {
  id: string;
  label: string;
  scale?: number;
  problem?: string;
}

/** Upscale… on a layer: the layer's pixels (already in the image store), the model, the factor, optional refine. */
export const UpscaleStartSchema = z.object({
  imageId: ImageIdSchema,
  upscalerId: z.string().min(1).max(200),
  /** Output factor, at most the model's own; absent: the model's. */
  scale: z.number().positive().max(16).optional(),
  /** Low-strength tiled img2img with an SD model after upscaling (strength 0.3 is typical). */
  refine: z.object({ modelId: z.string().min(1).max(200), settings: GenerationSettingsSchema }).strict().optional(),
}).strict();
export type UpscaleStart = z.input<typeof UpscaleStartSchema>;

/** Models dialog: a model the picker lists, and where it came from. */
export interface InstalledModelInfo {
  id: string;
  label: string;
  family: string;
  origin: 'pulled' | 'imported' | 'bundled' | 'folder';
  catalogId?: string;
  /** Set when the folder no longer reads as a model. */
  problem?: string;
}

/** Models dialog: a catalogue entry with what is on disk for it. */
export interface CatalogueModelInfo {
  id: string;
  label: string;
  family: string;
  kind: string;
  licence: string;
  nonCommercial: boolean;
  page: string;
  notes: string[];
  approxBytes: number;
  /** Bytes of a paused or interrupted pull waiting in staging. */
  partialBytes: number;
  /** Picker id once pulled. */
  installedId?: string;
  /** Job id while a pull runs. */
  downloadingJobId?: string;
}

/** What Export writes: flat images (with generation metadata), layered PSD / OpenRaster, or our own file. */
export const EXPORT_FORMATS = ['png', 'jpg', 'webp', 'psd', 'ora', 'atelier'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Request schemas, one per channel. Responses are typed by `ApiResponses`. */
export const API_REQUESTS = {
  'models:list': z.object({}).strict(),
  'prompt:tokenize': z.object({ modelId: z.string().min(1).max(200), text: z.string().max(10_000) }).strict(),
  /** Peak memory a job would need against what is free (the engine refuses jobs that do not fit). */
  'models:estimate': z.object({
    modelId: z.string().min(1).max(200),
    width: z.number().int().min(64).max(8192),
    height: z.number().int().min(64).max(8192),
    batch: z.number().int().min(1).max(64).default(1),
    guidance: z.number().min(0).max(50).default(7),
    mode: z.enum(['txt2img', 'img2img', 'inpaint']).default('txt2img'),
  }).strict(),
  'images:put': z.object({ bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= 256 * 1024 * 1024, 'image must be 1 byte .. 256 MiB') }).strict(),
  'generation:start': GenerationStartSchema.strict(),
  'generation:cancel': z.object({ jobId: JobIdSchema }).strict(),
  /** Upscalers the Upscale dialog offers. */
  'upscale:list': z.object({}).strict(),
  /** Runs on the engine queue: generation:progress (tiles), then one upscale:done or generation:failed; cancel with generation:cancel. */
  'upscale:start': UpscaleStartSchema,
  /** Live mode's Apply: a draft job's result (kept in memory) goes into the image store and History. */
  'generation:keepDraft': z.object({ jobId: JobIdSchema, documentId: z.string().min(1).max(200).optional() }).strict(),
  'history:list': z.object({
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
  'history:models': z.object({}).strict(),
  /** Models dialog: installed models, catalogue with pull state, running pulls, execution provider. */
  'models:library': z.object({}).strict(),
  /** Pulls (or resumes) a catalogue model as a job: models:progress, then one models:done or models:failed. */
  'models:pull': z.object({ catalogId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) }).strict(),
  /** Pauses a running pull; what reached the disk stays for the next models:pull. */
  'models:pause': z.object({ jobId: JobIdSchema }).strict(),
  /** Cancels a pull for good: stops it if running and deletes its partial files. */
  'models:discard': z.object({ catalogId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) }).strict(),
  /**
   * Registers a model folder where it is. Electron main asks with a folder dialog (it replaces this
   * handler); serve, whose browser cannot pick folders, takes an absolute path typed by its local user.
   */
  'models:import': z.object({ dir: z.string().min(1).max(4096).optional() }).strict(),
  /** `imageId`: only that image of a batch (else the whole entry). */
  'history:favourite': z.object({ id: HistoryIdSchema, favourite: z.boolean(), imageId: ImageIdSchema.optional() }).strict(),
  /** `keepImageIds`: images the open document (or its undo steps) still uses; their files stay. */
  /** `imageId`: only that image of a batch (the entry goes with its last image). */
  'history:delete': z.object({ id: HistoryIdSchema, imageId: ImageIdSchema.optional(), keepImageIds: z.array(ImageIdSchema).max(100_000).default([]) }).strict(),
  /** Re-run exactly (same settings, seed, model, input pixels) as a new job; it lands in `documentId`'s history. */
  /** `imageId`: re-run only that image of a batch (its seed, batch 1). */
  'history:rerun': z.object({ id: HistoryIdSchema, imageId: ImageIdSchema.optional(), documentId: z.string().min(1).max(200).optional() }).strict(),
  /** A PNG uploaded with `images:put` whose generation metadata becomes a history entry. */
  'history:import': z.object({ imageId: ImageIdSchema, documentId: z.string().min(1).max(200).optional() }).strict(),
  'documents:list': z.object({}).strict(),
  'documents:save': z.object({ name: DocumentNameSchema, document: DocumentSchema }).strict(),
  'documents:open': z.object({ name: DocumentNameSchema }).strict(),
  'documents:autosave': z.object({ document: DocumentSchema }).strict(),
  /** A file the user picked (bytes, never a path): .atelier, layered .psd/.ora, or a flat image as one layer. */
  'documents:import': z.object({
    fileName: z.string().min(1).max(255).regex(/\.(atelier|psd|ora|png|jpe?g|webp)$/i, 'file must be .atelier, .psd, .ora, .png, .jpg or .webp'),
    bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= 2 ** 31, 'file must be 1 byte .. 2 GiB'),
  }).strict(),
  'documents:recover': z.object({ discard: z.boolean().default(false) }).strict(),
  /** Style presets: the user's (styles.json in the data folder) and the shipped ones. */
  'styles:list': z.object({}).strict(),
  /** Adds or replaces (same name) a user preset, e.g. saved from the current settings. */
  'styles:save': z.object({ style: StylePresetSchema }).strict(),
  'styles:delete': z.object({ name: z.string().trim().min(1).max(60) }).strict(),
  /** LoRAs in <data>/loras (name, SHA-256, size). */
  'loras:list': z.object({}).strict(),
  /** A .safetensors LoRA the user picked (bytes, never a path), checked and copied into <data>/loras. */
  'loras:import': z.object({
    fileName: z.string().min(1).max(255).regex(/^[^/\\]+\.safetensors$/i, 'file must be a .safetensors LoRA'),
    bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 8 && b.byteLength <= 2 ** 31, 'file must be 9 bytes .. 2 GiB'),
  }).strict(),
  'export:document': z.object({
    name: DocumentNameSchema,
    format: z.enum(EXPORT_FORMATS),
    document: DocumentSchema,
    /** Flat formats only: render the generation frame instead of the document bounds. */
    frameOnly: z.boolean().default(false),
  }).strict(),
} as const;

export type ApiChannel = keyof typeof API_REQUESTS;
export const API_CHANNELS = Object.keys(API_REQUESTS) as ApiChannel[];
export type ApiRequest<C extends ApiChannel> = z.input<(typeof API_REQUESTS)[C]>;
export type ApiParsedRequest<C extends ApiChannel> = z.output<(typeof API_REQUESTS)[C]>;

export interface ApiResponses {
  'models:list': { models: ModelSummary[]; defaultModelId: string | null; controlNets: ControlNetSummary[] };
  /** maxTokens: per chunk (75); prompts of any length are encoded in `chunks` chunks. */
  'prompt:tokenize': { tokenCount: number; maxTokens: number; chunks: number };
  /** `summary`: "≈5.1 GB of 20.3 GB free"; `sentence`: why it would be refused (absent when it fits). */
  'models:estimate': { neededBytes: number; freeBytes: number; fits: boolean; device: 'cpu' | 'gpu'; summary: string; sentence?: string };
  'images:put': { imageId: string; width: number; height: number };
  'generation:start': { jobId: string };
  'generation:cancel': { cancelled: boolean };
  'upscale:list': { upscalers: UpscalerSummary[] };
  'upscale:start': { jobId: string };
  'generation:keepDraft': GeneratedImageRef;
  'history:list': { entries: HistoryEntry[]; nextCursor?: string; total: number };
  'history:models': { models: { name: string; count: number }[] };
  'history:favourite': { id: string; favourite: boolean };
  'history:delete': { id: string };
  'history:rerun': { jobId: string };
  'history:import': { entryId: string; created: boolean; defaulted: string[] };
  'models:library': {
    installed: InstalledModelInfo[];
    catalogue: CatalogueModelInfo[];
    /** Why the catalogue could not be read, if so (installed models still list). */
    catalogueProblem?: string;
    /** Provider the last generation ran on (null before one), and what this machine tries, in order. */
    provider: { lastUsed: string | null; tries: string[] };
    /** Where pulls go. */
    pullDir: string;
  };
  'models:pull': { jobId: string };
  'models:pause': { paused: boolean };
  'models:discard': { discarded: boolean };
  /** `id`: picker id of the imported model ('' when the user cancelled the folder dialog). */
  'models:import': { id: string; alreadyListed: boolean };
  'documents:list': { documents: { name: string; modifiedAt: number }[] };
  'documents:save': { name: string };
  'documents:open': { document: AtelierDocument };
  'documents:autosave': { savedAt: number };
  'documents:import': { document: AtelierDocument; warnings: string[] };
  'documents:recover': { document: AtelierDocument | null };
  /** `path`: where it was written ('' when the user cancelled); `downloadUrl`: serve mode's link to it. */
  'export:document': { path: string; bytes: number; downloadUrl?: string };
  /** `builtIn`: shipped with the app (cannot be deleted); `notice`: the user's file could not be read. */
  'styles:list': { styles: (StylePreset & { builtIn: boolean })[]; notice?: string };
  'styles:save': { style: StylePreset };
  'styles:delete': { deleted: boolean };
  'loras:list': { loras: LoraInfo[] };
  'loras:import': { lora: LoraInfo };
}

/** Events pushed from the core to every window / client. */
export interface ApiEvents {
  'generation:progress': { jobId: string; done: number; total: number; previewUrl?: string };
  'generation:done': {
    jobId: string; images: GeneratedImageRef[]; provider: string; totalMs: number;
    /** The model the job started with (a pick in the UI meanwhile does not change it): the layer's source. */
    model: string;
    /** One sentence each about a job that still ran (a size far from the model's). */
    warnings?: string[];
    /** Live drafts only (`images` is empty): the result by URL, kept until `generation:keepDraft` or a few drafts later. */
    draft?: { url: string; width: number; height: number; seed: number };
  };
  'generation:failed': { jobId: string; message: string; code: string };
  /** An upscale job's result, in the image store. */
  'upscale:done': { jobId: string; imageId: string; width: number; height: number; refinedTiles: number; totalMs: number; provider: string };
  'models:progress': {
    jobId: string; catalogId: string; phase: 'checking' | 'downloading' | 'placing' | 'done'; file?: string; fileIndex: number; fileCount: number;
    doneBytes: number; totalBytes: number; bytesPerSecond: number; etaSeconds: number | null;
  };
  'models:done': { jobId: string; catalogId: string; modelId: string | null; bytes: number; resumedFiles: number };
  /** code 'cancelled': paused (or discarded) by the user. */
  'models:failed': { jobId: string; catalogId: string; message: string; code: string };
}
export type ApiEventName = keyof ApiEvents;

/** A user-readable failure crossing the bridge: one line, no stack. */
export interface ApiErrorPayload {
  message: string;
  code: string;
}

/**
 * What the renderer sees. Two implementations: the Electron preload bridge and the serve-mode
 * WebSocket client. Named functions only; every `on…` returns its unsubscribe.
 */
export interface AtelierApi {
  readonly transport: 'electron' | 'serve';
  listModels(): Promise<ApiResponses['models:list']>;
  tokenize(modelId: string, text: string): Promise<ApiResponses['prompt:tokenize']>;
  estimateMemory(req: ApiRequest<'models:estimate'>): Promise<ApiResponses['models:estimate']>;
  putImage(bytes: Uint8Array): Promise<ApiResponses['images:put']>;
  startGeneration(req: GenerationStart): Promise<ApiResponses['generation:start']>;
  cancelGeneration(jobId: string): Promise<ApiResponses['generation:cancel']>;
  keepLiveDraft(req: ApiRequest<'generation:keepDraft'>): Promise<ApiResponses['generation:keepDraft']>;
  listUpscalers(): Promise<ApiResponses['upscale:list']>;
  startUpscale(req: UpscaleStart): Promise<ApiResponses['upscale:start']>;
  onUpscaleDone(cb: (e: ApiEvents['upscale:done']) => void): () => void;
  listHistory(req: ApiRequest<'history:list'>): Promise<ApiResponses['history:list']>;
  listHistoryModels(): Promise<ApiResponses['history:models']>;
  setHistoryFavourite(id: string, favourite: boolean, imageId?: string): Promise<ApiResponses['history:favourite']>;
  deleteHistoryEntry(req: ApiRequest<'history:delete'>): Promise<ApiResponses['history:delete']>;
  rerunHistoryEntry(req: ApiRequest<'history:rerun'>): Promise<ApiResponses['history:rerun']>;
  importHistoryPng(req: ApiRequest<'history:import'>): Promise<ApiResponses['history:import']>;
  modelLibrary(): Promise<ApiResponses['models:library']>;
  pullModel(catalogId: string): Promise<ApiResponses['models:pull']>;
  pauseModelPull(jobId: string): Promise<ApiResponses['models:pause']>;
  discardModelPull(catalogId: string): Promise<ApiResponses['models:discard']>;
  importModelFolder(dir?: string): Promise<ApiResponses['models:import']>;
  onModelProgress(cb: (e: ApiEvents['models:progress']) => void): () => void;
  onModelDone(cb: (e: ApiEvents['models:done']) => void): () => void;
  onModelFailed(cb: (e: ApiEvents['models:failed']) => void): () => void;
  listDocuments(): Promise<ApiResponses['documents:list']>;
  saveDocument(name: string, document: AtelierDocument): Promise<ApiResponses['documents:save']>;
  openDocument(name: string): Promise<ApiResponses['documents:open']>;
  autosaveDocument(document: AtelierDocument): Promise<ApiResponses['documents:autosave']>;
  importDocument(fileName: string, bytes: Uint8Array): Promise<ApiResponses['documents:import']>;
  recoverDocument(discard: boolean): Promise<ApiResponses['documents:recover']>;
  exportDocument(req: ApiRequest<'export:document'>): Promise<ApiResponses['export:document']>;
  listStyles(): Promise<ApiResponses['styles:list']>;
  saveStyle(style: ApiRequest<'styles:save'>['style']): Promise<ApiResponses['styles:save']>;
  deleteStyle(name: string): Promise<ApiResponses['styles:delete']>;
  listLoras(): Promise<ApiResponses['loras:list']>;
  importLora(fileName: string, bytes: Uint8Array): Promise<ApiResponses['loras:import']>;
  /** URL the renderer can put in an <img>/Konva image: custom protocol or HTTP. */
  imageUrl(imageId: string): string;
  /** A small (128 px) WebP of a stored image, for list rows. */
  thumbnailUrl(imageId: string): string;
  onGenerationProgress(cb: (e: ApiEvents['generation:progress']) => void): () => void;
  onGenerationDone(cb: (e: ApiEvents['generation:done']) => void): () => void;
  onGenerationFailed(cb: (e: ApiEvents['generation:failed']) => void): () => void;
}
