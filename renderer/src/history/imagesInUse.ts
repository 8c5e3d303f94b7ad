import type { UndoState } from '../document/undoHistory.js';

/**
 * Image ids the open document shows or could show again through undo/redo. A history delete keeps
 * these files, so deleting an entry never leaves a layer (now or after an undo) pointing at nothing.
 * Walks plain data only: pixel buffers (mask patches) are skipped, not scanned.
 */
export function imagesInUse(state: UndoState): string[] {
  const ids = new Set<string>();
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    for (const [key, value] of Object.entries(v)) {
      if (key === 'imageId' && typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) ids.add(value);
      else walk(value);
    }
  };
  walk(state.doc.layers);
  for (const step of [...state.past, ...state.future]) walk([step.forward, step.inverse]);
  return [...ids];
}
