import { z } from 'zod';
import { apiEvent, carries, channel, noArgs } from '../channel.js';
import { JobIdSchema, ModelIdSchema } from '../ids.js';
import { MAX_CONTROLS } from '../control.js';
import { LoraRefSchema, MAX_LORAS } from '../lora.js';
import { MODEL_FAMILIES } from '../modelFamily.js';

/** Installed models, the catalogue and its pulls, memory estimates, model-folder import. */

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
  /** Id once pulled: the picker's (or the ControlNet's); the catalogue id for a preview decoder or an upscaler. */
  installedId?: string;
  /** Job id while a pull runs. */
  downloadingJobId?: string;
}

const CatalogIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

export const modelChannels = {
  'models:list': channel({
    method: 'listModels',
    request: z.object({}).strict(),
    response: carries<{ models: ModelSummary[]; defaultModelId: string | null; controlNets: ControlNetSummary[] }>(),
    args: noArgs,
  }),
  /**
   * Peak memory a job would need against what is free (the engine refuses jobs that do not fit).
   * `summary`: "≈5.1 GB of 20.3 GB free"; `sentence`: why it would be refused (absent when it fits).
   */
  'models:estimate': channel({
    method: 'estimateMemory',
    request: z.object({
      modelId: ModelIdSchema,
      width: z.number().int().min(64).max(8192),
      height: z.number().int().min(64).max(8192),
      batch: z.number().int().min(1).max(64).default(1),
      guidance: z.number().min(0).max(50).default(7),
      mode: z.enum(['txt2img', 'img2img', 'inpaint']).default('txt2img'),
      /** Installed ControlNet ids of the job's controls: each adds its weights and residuals, as the engine counts them. */
      controlNets: z.array(ModelIdSchema).max(MAX_CONTROLS).default([]),
      /** The job's LoRAs (the picker's list and the prompt's tags): merging them holds the weights they change. */
      loras: z.array(LoraRefSchema).max(MAX_LORAS).default([]),
    }).strict(),
    response: carries<{ neededBytes: number; freeBytes: number; fits: boolean; device: 'cpu' | 'gpu'; summary: string; sentence?: string }>(),
  }),
  /** Models dialog: installed models, catalogue with pull state, running pulls, execution provider. */
  'models:library': channel({
    method: 'modelLibrary',
    request: z.object({}).strict(),
    response: carries<{
      installed: InstalledModelInfo[];
      catalogue: CatalogueModelInfo[];
      /** Why the catalogue could not be read, if so (installed models still list). */
      catalogueProblem?: string;
      /** Provider the last generation ran on (null before one), and what this machine tries, in order. */
      provider: { lastUsed: string | null; tries: string[] };
      /** Where pulls go. */
      pullDir: string;
    }>(),
    args: noArgs,
  }),
  /** Pulls (or resumes) a catalogue model as a job: models:progress, then one models:done or models:failed. */
  'models:pull': channel({
    method: 'pullModel',
    request: z.object({ catalogId: CatalogIdSchema }).strict(),
    response: carries<{ jobId: string }>(),
    args: (catalogId: string) => ({ catalogId }),
  }),
  /** Pauses a running pull; what reached the disk stays for the next models:pull. */
  'models:pause': channel({
    method: 'pauseModelPull',
    request: z.object({ jobId: JobIdSchema }).strict(),
    response: carries<{ paused: boolean }>(),
    args: (jobId: string) => ({ jobId }),
  }),
  /** Cancels a pull for good: stops it if running and deletes its partial files. */
  'models:discard': channel({
    method: 'discardModelPull',
    request: z.object({ catalogId: CatalogIdSchema }).strict(),
    response: carries<{ discarded: boolean }>(),
    args: (catalogId: string) => ({ catalogId }),
  }),
  /**
   * Registers a model folder where it is. Without `dir` the host asks for one (Electron: a folder
   * dialog); serve, whose browser cannot pick folders, takes an absolute path typed by its local user.
   * `id`: picker id of the imported model ('' when the user cancelled the folder dialog).
   */
  'models:import': channel({
    method: 'importModelFolder',
    request: z.object({ dir: z.string().min(1).max(4096).optional() }).strict(),
    response: carries<{ id: string; alreadyListed: boolean }>(),
    args: (dir?: string) => (dir ? { dir } : {}),
  }),
};

export const modelEvents = {
  'models:progress': apiEvent('onModelProgress', carries<{
    jobId: string; catalogId: string; phase: 'checking' | 'downloading' | 'placing' | 'done'; file?: string; fileIndex: number; fileCount: number;
    doneBytes: number; totalBytes: number; bytesPerSecond: number; etaSeconds: number | null;
  }>()),
  'models:done': apiEvent('onModelDone', carries<{ jobId: string; catalogId: string; modelId: string | null; bytes: number; resumedFiles: number }>()),
  /** code 'cancelled': paused (or discarded) by the user. */
  'models:failed': apiEvent('onModelFailed', carries<{ jobId: string; catalogId: string; message: string; code: string }>()),
};
