import type { ToolId } from '../state/viewSlice.js';

/** A pointer event in both spaces: document pixels (x, y) and viewport pixels (sx, sy). */
export interface ToolPointer {
  x: number;
  y: number;
  sx: number;
  sy: number;
  shift: boolean;
  alt: boolean;
}

/** Scratch memory of one tool while it runs (drag origins and the like). */
export type ToolMemo = Record<string, unknown>;

/** One state of a tool's state machine; handlers return the next state's name to transition. */
export interface ToolState {
  onEnter?(memo: ToolMemo, p?: ToolPointer): void;
  onPointerDown?(memo: ToolMemo, p: ToolPointer): string | void;
  onPointerMove?(memo: ToolMemo, p: ToolPointer): string | void;
  onPointerUp?(memo: ToolMemo, p: ToolPointer): string | void;
  /** Escape or lost capture: drop the gesture in progress. */
  onCancel?(memo: ToolMemo): string | void;
  onExit?(memo: ToolMemo): void;
  /** The pointer's cursor over this point while hovering (e.g. resize arrows on a frame edge). */
  hoverCursor?(p: ToolPointer): string | undefined;
}

export interface Tool {
  id: ToolId;
  cursor: string;
  initial: string;
  states: Record<string, ToolState>;
}
