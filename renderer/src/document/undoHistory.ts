import type { AtelierDocument } from '../../../electron/contract/document.js';
import { applyCommand, type DocCommand } from './commands.js';
import type { MaskSurface } from './maskSurface.js';

/** One undo step: the command as done and its inverse. */
export interface UndoStep {
  label: string;
  forward: DocCommand;
  inverse: DocCommand;
}

export interface UndoState {
  doc: AtelierDocument;
  past: UndoStep[];
  future: UndoStep[];
}

const LIMIT = 200;
/** Mask patches hold pixels (a full 4096² patch is 32 MiB with its inverse): cap what undo keeps. */
export const PATCH_BUDGET_BYTES = 256 * 1024 * 1024;

/** Bytes of pixels a step holds (mask patches, a resize's dropped mask; other commands are small). */
export function stepBytes(step: UndoStep): number {
  const count = (c: DocCommand): number =>
    c.type === 'maskPatch' ? c.patch.before.byteLength + c.patch.after.byteLength
      : c.type === 'resizeDocument' ? c.maskPixels?.byteLength ?? 0
        : c.type === 'batch' ? c.commands.reduce((n, x) => n + count(x), 0) : 0;
  // forward and inverse share a patch's two arrays; a resize keeps pixels in one of them only.
  return count(step.forward) + resizePixels(step.inverse);
}

const resizePixels = (c: DocCommand): number =>
  c.type === 'resizeDocument' ? c.maskPixels?.byteLength ?? 0 : c.type === 'batch' ? c.commands.reduce((n, x) => n + resizePixels(x), 0) : 0;

/** Drops the oldest steps beyond the step limit or the pixel budget (the newest step always stays). */
function trim(past: UndoStep[]): UndoStep[] {
  let start = Math.max(0, past.length - LIMIT);
  let bytes = 0;
  for (let i = past.length - 1; i >= start; i--) {
    bytes += stepBytes(past[i]);
    if (bytes > PATCH_BUDGET_BYTES && i < past.length - 1) {
      start = i + 1;
      break;
    }
  }
  return start > 0 ? past.slice(start) : past;
}

export function initialUndo(doc: AtelierDocument): UndoState {
  return { doc, past: [], future: [] };
}

/** Applies an edit as one undo step; clears redo. */
export function perform(state: UndoState, cmd: DocCommand, label: string, mask?: MaskSurface): UndoState {
  const { doc, inverse } = applyCommand(state.doc, cmd, mask);
  return { doc, past: trim([...state.past, { label, forward: cmd, inverse }]), future: [] };
}

/**
 * Records an edit whose effect is already on the surface (a mask stroke drawn live): pushes the step
 * without applying it again. Only for commands that leave the document object unchanged.
 */
export function record(state: UndoState, step: UndoStep): UndoState {
  return { doc: state.doc, past: trim([...state.past, step]), future: [] };
}

/** A step that could not be undone or redone (the document no longer fits it); it was dropped. */
export interface FailedStep {
  label: string;
  message: string;
}

/**
 * Undoes the newest step. A step whose inverse no longer applies is reported through `onFail` and
 * dropped, leaving the document as it was, so one bad step never blocks the rest of the stack.
 */
export function undo(state: UndoState, mask?: MaskSurface, onFail?: (f: FailedStep) => void): UndoState {
  const step = state.past[state.past.length - 1];
  if (!step) return state;
  try {
    const { doc } = applyCommand(state.doc, step.inverse, mask);
    return { doc, past: state.past.slice(0, -1), future: [step, ...state.future] };
  } catch (e) {
    onFail?.({ label: step.label, message: e instanceof Error ? e.message : String(e) });
    return { doc: state.doc, past: state.past.slice(0, -1), future: state.future };
  }
}

/** Redoes the next step; one that no longer applies is reported and dropped, like undo. */
export function redo(state: UndoState, mask?: MaskSurface, onFail?: (f: FailedStep) => void): UndoState {
  const step = state.future[0];
  if (!step) return state;
  try {
    const { doc } = applyCommand(state.doc, step.forward, mask);
    return { doc, past: [...state.past, step], future: state.future.slice(1) };
  } catch (e) {
    onFail?.({ label: step.label, message: e instanceof Error ? e.message : String(e) });
    return { doc: state.doc, past: state.past, future: state.future.slice(1) };
  }
}
