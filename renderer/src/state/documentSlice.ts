import type { StateCreator } from 'zustand';
import type { AtelierDocument } from '../../../electron/contract/document.js';
import { paintSurface } from './paintSurfaceRegistry.js';
import type { DocCommand } from '../document/commands.js';
import { createDocument } from '../document/newDocument.js';
import type { MaskPatch } from '../document/maskSurface.js';
import { initialUndo, perform, record, redo, undo, type FailedStep, type UndoState } from '../document/undoHistory.js';
import type { Store } from './store.js';

/** The open document and its undo history. Every edit goes through `perform` (one gesture = one call). */
export interface DocumentSlice {
  undoHistory: UndoState;
  /** Name it was last saved/opened under (null: never saved). */
  savedName: string | null;
  /** Bumped on every change; compared with savedVersion / autosavedVersion. */
  version: number;
  savedVersion: number;
  perform(cmd: DocCommand, label: string): void;
  /** A mask stroke already drawn into the bitmap: one undo step, no second write. */
  recordMaskStroke(patch: MaskPatch, label: string): void;
  /** Clears the painted mask as one undo step (nothing when it is already empty). */
  clearMask(): void;
  undo(): void;
  redo(): void;
  /** Replaces the document (New, Open, recovery): fresh history, empty mask. */
  loadDocument(doc: AtelierDocument, savedName: string | null): void;
  markSaved(name: string): void;
}

export const createDocumentSlice: StateCreator<Store, [], [], DocumentSlice> = (set, get) => ({
  undoHistory: initialUndo(createDocument()),
  savedName: null,
  version: 0,
  savedVersion: 0,
  perform(cmd, label) {
    set((s) => ({ undoHistory: perform(s.undoHistory, cmd, label, paintSurface()), version: s.version + 1 }));
  },
  recordMaskStroke(patch, label) {
    const { rect, before, after } = patch;
    set((s) => ({
      undoHistory: record(s.undoHistory, { label, forward: { type: 'maskPatch', patch }, inverse: { type: 'maskPatch', patch: { rect, before: after, after: before } } }),
      version: s.version + 1,
    }));
  },
  clearMask() {
    const surface = paintSurface();
    const rect = { x: 0, y: 0, width: surface.width, height: surface.height };
    const before = surface.read(rect);
    if (!before.some((v) => v !== 0)) return;
    get().perform({ type: 'maskPatch', patch: { rect, before, after: new Uint8Array(before.length) } }, 'Clear mask');
  },
  undo() {
    if (!get().undoHistory.past.length) return;
    set((s) => ({ undoHistory: undo(s.undoHistory, paintSurface(), reportFailedStep(get, 'undo')), version: s.version + 1 }));
  },
  redo() {
    if (!get().undoHistory.future.length) return;
    set((s) => ({ undoHistory: redo(s.undoHistory, paintSurface(), reportFailedStep(get, 'redo')), version: s.version + 1 }));
  },
  loadDocument(doc, savedName) {
    paintSurface().reset(doc.width, doc.height);
    set((s) => ({ undoHistory: initialUndo(doc), savedName, version: s.version + 1, savedVersion: s.version + 1, selectedLayerId: null, session: {} }));
  },
  markSaved(name) {
    set((s) => ({ savedName: name, savedVersion: s.version }));
  },
});

/** A step that no longer applies is dropped; the user reads why in the status line. */
function reportFailedStep(get: () => Store, what: 'undo' | 'redo') {
  return (f: FailedStep): void => {
    // After the set() in progress: the status line is another slice.
    queueMicrotask(() => get().setGenerate({ error: `Could not ${what} "${f.label}" (${f.message}); that step was dropped, the rest of the history still works.` }));
  };
}
