import type { StateCreator } from 'zustand';
import type { ModelSummary } from '../../../electron/contract/api.js';
import type { GenerationMode, GenerationSettings } from '../../../electron/contract/generation.js';
import type { LoraInfo } from '../../../electron/contract/lora.js';
import type { StylePreset } from '../../../electron/contract/styles.js';
import type { Rect } from '../document/geometry.js';
import type { Store } from './store.js';
import { PANEL_DEFAULTS, type PanelSettings } from '../generate/panelSettings.js';

export interface RunningJob {
  jobId: string | null;
  /** The document it was started for: a result never lands in another one. */
  documentId: string;
  mode: GenerationMode;
  frame: Rect;
  prompt: string;
  /** The model the job runs on (a Live Finish may pick another one than the panel's). */
  modelId?: string;
  maskImageId?: string;
  /** What was asked, kept on the resulting layers (export metadata, re-run). */
  settings?: GenerationSettings;
  done: number;
  total: number;
  /** A step event arrived: `total` is then the number of steps that really run (img2img runs fewer). */
  stepped?: boolean;
  previewUrl?: string;
  cancelling: boolean;
  /** What the progress line calls the job and its units when it is not a generation ("upscale · tile"). */
  label?: string;
}

export interface TokenCount {
  count: number;
  /** Tokens per chunk (75). */
  max: number;
  /** 75-token chunks the prompt is encoded in (long prompts are never cut). */
  chunks: number;
}

export interface GenerateSlice {
  /** The prompt panel's generation settings as one object (generate/panelSettings.ts): Generate reads it, "Use settings" writes it. */
  settings: PanelSettings;
  models: ModelSummary[];
  modelId: string;
  /** Locked: Generate reuses `settings.seed`; unlocked: a new random seed each time. */
  seedLocked: boolean;
  useCanvasAsInit: boolean;
  promptTokens: TokenCount | null;
  negativeTokens: TokenCount | null;
  /** What <data>/loras holds, for the picker. */
  loraLibrary: LoraInfo[];
  /** Style presets (shipped and the user's, from `styles:list`) and the picked one's name ('' = none). */
  styles: StylePreset[];
  style: string;
  job: RunningJob | null;
  /** Last engine/API error, shown next to the prompt until the next attempt. */
  error: string | null;
  /** Short-lived status line (saved, recovered, provider…). */
  notice: string | null;
  setGenerate(p: Partial<Omit<GenerateSlice, 'settings' | 'setGenerate' | 'setSettings' | 'setJob' | 'updateJob'>>): void;
  /** Changes some of the panel's settings (the rest stay). */
  setSettings(p: Partial<PanelSettings>): void;
  setJob(job: RunningJob | null): void;
  updateJob(p: Partial<RunningJob>): void;
}

export const createGenerateSlice: StateCreator<Store, [], [], GenerateSlice> = (set) => ({
  settings: PANEL_DEFAULTS,
  models: [],
  modelId: '',
  seedLocked: false,
  useCanvasAsInit: false,
  promptTokens: null,
  negativeTokens: null,
  loraLibrary: [],
  styles: [],
  style: '',
  job: null,
  error: null,
  notice: null,
  setGenerate: (p) => set(p),
  setSettings: (p) => set((s) => ({ settings: { ...s.settings, ...p } })),
  setJob: (job) => set({ job }),
  updateJob: (p) => set((s) => (s.job ? { job: { ...s.job, ...p } } : {})),
});
