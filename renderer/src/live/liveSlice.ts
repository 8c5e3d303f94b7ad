import type { StateCreator } from 'zustand';
import type { GenerationSettings } from '../../../electron/contract/generation.js';
import type { Rect } from '../document/geometry.js';
import type { Store } from '../state/store.js';
import type { LiveSettings } from './liveDefaults.js';

/** The draft on screen: what it was made from, so Apply can keep it with its parameters. */
export interface LiveResult {
  jobId: string;
  url: string;
  documentId: string;
  frame: Rect;
  modelId: string;
  settings: GenerationSettings;
  /** The decoded picture (shown on the canvas; primes the layer cache on Apply). */
  image: HTMLImageElement;
}

export interface LiveSlice {
  liveOn: boolean;
  /** Off: the preview is hidden so the canvas beneath shows (live keeps running). */
  liveVisible: boolean;
  /** null until Live is first switched on (then the model's fast settings). */
  live: LiveSettings | null;
  liveResult: LiveResult | null;
  /** A draft job is running (at most one). */
  liveBusy: boolean;
  liveError: string | null;
  setLive(p: Partial<Omit<LiveSlice, 'setLive'>>): void;
}

export const createLiveSlice: StateCreator<Store, [], [], LiveSlice> = (set) => ({
  liveOn: false,
  liveVisible: true,
  live: null,
  liveResult: null,
  liveBusy: false,
  liveError: null,
  setLive: (p) => set(p),
});
