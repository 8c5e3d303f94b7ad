import type { StateCreator } from 'zustand';
import type { ControlNetSummary } from '../../../electron/contract/api.js';
import { MAX_CONTROLS, type ControlType } from '../../../electron/contract/control.js';
import type { Store } from '../state/store.js';

/**
 * One row of the Control section: which ControlNet follows which source, how. The source is a layer id
 * (an image layer, or a Control layer the user sketches on); its pixels inside the frame become the map
 * when Generate runs (controlMaps.ts), so the map always matches what the canvas shows.
 */
export interface ControlEntry {
  id: string;
  model: string;
  type: ControlType;
  /** A layer id, or '' while none is picked. */
  source: string;
  scale: number;
  start: number;
  end: number;
}

export interface ControlSlice {
  controls: ControlEntry[];
  /** Installed ControlNets (models:list), loaded by the Control section. */
  controlNets: ControlNetSummary[];
  setControlNets(list: ControlNetSummary[]): void;
  /** Adds a row with defaults (first ControlNet, scribble); false when MAX_CONTROLS rows exist. */
  addControl(source?: string): boolean;
  updateControl(id: string, patch: Partial<Omit<ControlEntry, 'id'>>): void;
  removeControl(id: string): void;
  /** All rows at once (Use settings: the entry's controls, or none), each with a fresh id. */
  replaceControls(rows: ReadonlyArray<Omit<ControlEntry, 'id'>>): void;
}

let counter = 0;

export const createControlSlice: StateCreator<Store, [], [], ControlSlice> = (set, get) => ({
  controls: [],
  controlNets: [],
  setControlNets: (controlNets) => set({ controlNets }),
  addControl: (source = '') => {
    if (get().controls.length >= MAX_CONTROLS) return false;
    const entry: ControlEntry = { id: `control-${++counter}`, model: get().controlNets[0]?.id ?? '', type: 'scribble', source, scale: 1, start: 0, end: 1 };
    set({ controls: [...get().controls, entry] });
    return true;
  },
  updateControl: (id, patch) => set({ controls: get().controls.map((c) => (c.id === id ? { ...c, ...patch } : c)) }),
  removeControl: (id) => set({ controls: get().controls.filter((c) => c.id !== id) }),
  replaceControls: (rows) => set({ controls: rows.slice(0, MAX_CONTROLS).map((r) => ({ ...r, id: `control-${++counter}` })) }),
});
