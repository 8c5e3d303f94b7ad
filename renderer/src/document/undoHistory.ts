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

export function initialUndo(doc: AtelierDocument): UndoState {
  return { doc, past: [], future: [] };
}

/** Applies an edit as one undo step; clears redo. */
export function perform(state: UndoState, cmd: DocCommand, label: string, mask?: MaskSurface): UndoState {
  const { doc, inverse } = applyCommand(state.doc, cmd, mask);
  const past = [...state.past, { label, forward: cmd, inverse }];
  return { doc, past: past.length > LIMIT ? past.slice(past.length - LIMIT) : past, future: [] };
}

/**
 * Records an edit whose effect is already on the surface (a mask stroke drawn live): pushes the step
 * without applying it again. Only for commands that leave the document object unchanged.
 */
export function record(state: UndoState, step: UndoStep): UndoState {
  const past = [...state.past, step];
  return { doc: state.doc, past: past.length > LIMIT ? past.slice(past.length - LIMIT) : past, future: [] };
}

export function undo(state: UndoState, mask?: MaskSurface): UndoState {
  const step = state.past[state.past.length - 1];
  if (!step) return state;
  const { doc } = applyCommand(state.doc, step.inverse, mask);
  return { doc, past: state.past.slice(0, -1), future: [step, ...state.future] };
}

export function redo(state: UndoState, mask?: MaskSurface): UndoState {
  const step = state.future[0];
  if (!step) return state;
  const { doc } = applyCommand(state.doc, step.forward, mask);
  return { doc, past: [...state.past, step], future: state.future.slice(1) };
}
