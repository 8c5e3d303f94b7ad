import type { StateCreator } from 'zustand';
import type { GeneratedImageRef } from '../../../electron/contract/api.js';
import type { GenerationSettings } from '../../../electron/contract/generation.js';
import type { Rect } from '../document/geometry.js';
import type { Store } from '../state/store.js';

/**
 * A finished batch waiting to be chosen from (Krita AI Diffusion's / InvokeAI's staging area): the
 * variations are shown over the frame, the user keeps one or several as layers; the rest stay in History.
 */
export interface StagedBatch {
  documentId: string;
  /** Where the job ran: kept images land here. */
  frame: Rect;
  mode: string;
  prompt: string;
  /** The model the job started with (the layers' source). */
  model?: string;
  settings?: GenerationSettings;
  maskImageId?: string;
  images: GeneratedImageRef[];
  /** Indices picked to keep. */
  picked: number[];
  /** The one shown in the frame (hover or last click). */
  shown: number;
}

export interface StagingSlice {
  staging: StagedBatch | null;
  setStaging(s: StagedBatch | null): void;
  /** Picks or un-picks one variation and shows it in the frame. */
  togglePicked(index: number): void;
  showStaged(index: number): void;
}

export const createStagingSlice: StateCreator<Store, [], [], StagingSlice> = (set) => ({
  staging: null,
  setStaging: (staging) => set({ staging }),
  togglePicked: (index) =>
    set((s) => {
      if (!s.staging) return {};
      const picked = s.staging.picked.includes(index) ? s.staging.picked.filter((i) => i !== index) : [...s.staging.picked, index].sort((a, b) => a - b);
      return { staging: { ...s.staging, picked, shown: index } };
    }),
  showStaged: (index) => set((s) => (s.staging && s.staging.shown !== index ? { staging: { ...s.staging, shown: index } } : {})),
});
