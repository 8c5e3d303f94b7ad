import type { StateCreator } from 'zustand';
import type { Rect } from '../document/geometry.js';
import type { Store } from './store.js';

export type ToolId = 'move' | 'frame' | 'brush' | 'eraser' | 'hand' | 'paint' | 'regions';

/** A gesture in progress: shown live, committed to the document once on pointer-up. */
export interface GestureSession {
  frame?: Rect;
  layerDrag?: { id: string; dx: number; dy: number };
  /** Opacity slider being dragged: shown on the canvas, committed on release. */
  layerOpacity?: { id: string; opacity: number };
  /** Regions tool: the rectangle being drawn. */
  region?: Rect;
}

export interface ViewSlice {
  tool: ToolId;
  zoom: number;
  panX: number;
  panY: number;
  viewportWidth: number;
  viewportHeight: number;
  selectedLayerId: string | null;
  /** Regions tool: the region whose prompt the Regions panel is editing. */
  selectedRegionId: string | null;
  brushSize: number;
  brushHardness: number;
  /** Paint tool colour (CSS hex). */
  paintColour: string;
  session: GestureSession;
  /** The view zoomToFit last set: while zoom and pan still equal it, a viewport resize re-fits. */
  fittedView: { zoom: number; panX: number; panY: number } | null;
  /** The mask overlay is hidden (after an inpaint, so the result shows); the mask itself is kept. */
  maskHidden: boolean;
  setMaskHidden(hidden: boolean): void;
  setTool(tool: ToolId): void;
  setView(v: Partial<Pick<ViewSlice, 'zoom' | 'panX' | 'panY'>>): void;
  setViewport(width: number, height: number): void;
  /** Zooms by `factor` keeping the screen point (sx, sy) fixed. */
  zoomAt(factor: number, sx: number, sy: number): void;
  zoomToFit(): void;
  zoomTo100(): void;
  selectLayer(id: string | null): void;
  selectRegion(id: string | null): void;
  setBrush(b: Partial<Pick<ViewSlice, 'brushSize' | 'brushHardness' | 'paintColour'>>): void;
  setSession(s: GestureSession): void;
}

const MIN_ZOOM = 0.02;
const MAX_ZOOM = 32;
/** One zoom step: the − / + buttons and one wheel notch, with or without Ctrl. */
export const ZOOM_STEP = 1.25;
/** `[` / `]` change the brush size by this factor, as in Photoshop and Krita. */
export const BRUSH_STEP = 1.25;

export const createViewSlice: StateCreator<Store, [], [], ViewSlice> = (set, get) => ({
  tool: 'frame',
  zoom: 1,
  panX: 40,
  panY: 40,
  viewportWidth: 800,
  viewportHeight: 600,
  selectedLayerId: null,
  selectedRegionId: null,
  brushSize: 32,
  brushHardness: 0.6,
  paintColour: '#d8402f',
  session: {},
  fittedView: null,
  maskHidden: false,
  setMaskHidden: (maskHidden) => set({ maskHidden }),
  // What picking a tool does beyond this (the mask tools show the mask) is the tool's own `onPick`.
  setTool: (tool) => set({ tool, session: {} }),
  setView: (v) => set(v),
  setViewport(viewportWidth, viewportHeight) {
    const { zoom, panX, panY, fittedView } = get();
    const wasFitted = fittedView !== null && fittedView.zoom === zoom && fittedView.panX === panX && fittedView.panY === panY;
    set({ viewportWidth, viewportHeight });
    // A view the user left fitted stays fitted as the window changes size; a zoom or pan they chose stays.
    if (wasFitted) get().zoomToFit();
  },
  zoomAt(factor, sx, sy) {
    const { zoom, panX, panY } = get();
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom * factor));
    const k = next / zoom;
    set({ zoom: next, panX: sx - (sx - panX) * k, panY: sy - (sy - panY) * k });
  },
  zoomToFit() {
    const { viewportWidth: vw, viewportHeight: vh } = get();
    const doc = get().undoHistory.doc;
    // Fit the document and the frame together, with a margin.
    const f = doc.generationFrame;
    const x0 = Math.min(0, f.x);
    const y0 = Math.min(0, f.y);
    const w = Math.max(doc.width, f.x + f.width) - x0;
    const h = Math.max(doc.height, f.y + f.height) - y0;
    const zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, Math.min((vw - 64) / w, (vh - 64) / h)));
    const view = { zoom, panX: (vw - w * zoom) / 2 - x0 * zoom, panY: (vh - h * zoom) / 2 - y0 * zoom };
    set({ ...view, fittedView: view });
  },
  zoomTo100() {
    const { viewportWidth: vw, viewportHeight: vh, zoom, panX, panY } = get();
    // Keep the point at the viewport centre where it is; whole-pixel pan, so document pixels land on screen pixels.
    const cx = (vw / 2 - panX) / zoom;
    const cy = (vh / 2 - panY) / zoom;
    set({ zoom: 1, panX: Math.round(vw / 2 - cx), panY: Math.round(vh / 2 - cy) });
  },
  selectLayer: (selectedLayerId) => set({ selectedLayerId }),
  selectRegion: (selectedRegionId) => set({ selectedRegionId }),
  setBrush: (b) => set(b),
  setSession: (session) => set({ session }),
});
