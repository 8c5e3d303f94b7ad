import { z } from 'zod';
import { apiEvent, carries, channel, noArgs } from '../channel.js';
import { GenerationSettingsSchema } from '../generation.js';
import { DocumentIdSchema, ImageIdSchema, JobIdSchema, ModelIdSchema } from '../ids.js';

/** Generation, uploads and upscaling: jobs with progress events and cancel by job id. */

export const GenerationStartSchema = z.object({
  modelId: ModelIdSchema,
  settings: GenerationSettingsSchema,
  /** img2img / inpaint: the frame's pixels, uploaded first with `images:put`. */
  initImageId: ImageIdSchema.optional(),
  /** inpaint: gray PNG, 255 = repaint, uploaded first with `images:put`. */
  maskImageId: ImageIdSchema.optional(),
  documentId: DocumentIdSchema.optional(),
  /**
   * Live mode. 'draft': the result stays in memory (no History entry, nothing in the image store) until
   * `generation:keepDraft`; its done event carries `draft` instead of `images`. 'finish': a normal job,
   * recorded with the note that it came from a live draft.
   */
  live: z.enum(['draft', 'finish']).optional(),
});
export type GenerationStart = z.input<typeof GenerationStartSchema>;

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
  refine: z.object({ modelId: ModelIdSchema, settings: GenerationSettingsSchema }).strict().optional(),
}).strict();
export type UpscaleStart = z.input<typeof UpscaleStartSchema>;

export const generationChannels = {
  /** maxTokens: per chunk (75); prompts of any length are encoded in `chunks` chunks. */
  'prompt:tokenize': channel({
    method: 'tokenize',
    request: z.object({ modelId: ModelIdSchema, text: z.string().max(10_000) }).strict(),
    response: carries<{ tokenCount: number; maxTokens: number; chunks: number }>(),
    args: (modelId: string, text: string) => ({ modelId, text }),
  }),
  'images:put': channel({
    method: 'putImage',
    request: z.object({ bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= 256 * 1024 * 1024, 'image must be 1 byte .. 256 MiB') }).strict(),
    response: carries<{ imageId: string; width: number; height: number }>(),
    args: (bytes: Uint8Array) => ({ bytes: bytes as Uint8Array<ArrayBuffer> }),
    upload: { path: 'upload', maxBytes: 256 * 1024 * 1024 },
  }),
  'generation:start': channel({
    method: 'startGeneration',
    request: GenerationStartSchema.strict(),
    response: carries<{ jobId: string }>(),
  }),
  'generation:cancel': channel({
    method: 'cancelGeneration',
    request: z.object({ jobId: JobIdSchema }).strict(),
    response: carries<{ cancelled: boolean }>(),
    args: (jobId: string) => ({ jobId }),
  }),
  /** Live mode's Apply: a draft job's result (kept in memory) goes into the image store and History. */
  'generation:keepDraft': channel({
    method: 'keepLiveDraft',
    request: z.object({ jobId: JobIdSchema, documentId: DocumentIdSchema.optional() }).strict(),
    response: carries<GeneratedImageRef>(),
  }),
  /** Upscalers the Upscale dialog offers. */
  'upscale:list': channel({
    method: 'listUpscalers',
    request: z.object({}).strict(),
    response: carries<{ upscalers: UpscalerSummary[] }>(),
    args: noArgs,
  }),
  /** Runs on the engine queue: generation:progress (tiles), then one upscale:done or generation:failed; cancel with generation:cancel. */
  'upscale:start': channel({
    method: 'startUpscale',
    request: UpscaleStartSchema,
    response: carries<{ jobId: string }>(),
  }),
};

export const generationEvents = {
  'generation:progress': apiEvent('onGenerationProgress', carries<{ jobId: string; done: number; total: number; previewUrl?: string }>()),
  'generation:done': apiEvent('onGenerationDone', carries<{
    jobId: string; images: GeneratedImageRef[]; provider: string; totalMs: number;
    /** The model the job started with (a pick in the UI meanwhile does not change it): the layer's source. */
    model: string;
    /** One sentence each about a job that still ran (a size far from the model's). */
    warnings?: string[];
    /** Live drafts only (`images` is empty): the result by URL, kept until `generation:keepDraft` or a few drafts later. */
    draft?: { url: string; width: number; height: number; seed: number };
  }>()),
  'generation:failed': apiEvent('onGenerationFailed', carries<{ jobId: string; message: string; code: string }>()),
  /** An upscale job's result, in the image store. */
  'upscale:done': apiEvent('onUpscaleDone', carries<{ jobId: string; imageId: string; width: number; height: number; refinedTiles: number; totalMs: number; provider: string }>()),
};
