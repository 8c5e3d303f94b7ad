import type { ToolId } from '../state/viewSlice.js';
import type { Editor } from './editor.js';

/** A pointer event in both spaces: document pixels (x, y) and viewport pixels (sx, sy). */
export interface ToolPointer {
  x: number;
  y: number;
  sx: number;
  sy: number;
  shift: boolean;
  alt: boolean;
}

/**
 * One state of a tool's state machine (tldraw's StateNode). Handlers get the editor and the tool's typed
 * state data, and return the next state's name to transition (one of the tool's own: `S`).
 */
export interface ToolState<S extends string, M> {
  /** What the status line says while the tool is in this state. */
  status?: string;
  /** Pointer moves come in full (coalesced events): strokes stay smooth when frames are slow. */
  everyMove?: boolean;
  onEnter?(editor: Editor, memo: M, p?: ToolPointer): void;
  onPointerDown?(editor: Editor, memo: M, p: ToolPointer): S | void;
  onPointerMove?(editor: Editor, memo: M, p: ToolPointer): S | void;
  onPointerUp?(editor: Editor, memo: M, p: ToolPointer): S | void;
  /** Escape or lost capture: drop the gesture in progress. */
  onCancel?(editor: Editor, memo: M): S | void;
  onExit?(editor: Editor, memo: M): void;
  /** The pointer's cursor over this point while hovering (e.g. resize arrows on a frame edge). */
  hoverCursor?(editor: Editor, p: ToolPointer): string | undefined;
}

/** A brush-like tool's UI: the outline under the pointer and which brush settings the toolbar shows. */
export interface BrushHints {
  /** Colour of the outline drawn at the brush size under the pointer. */
  outline: string;
  /** The toolbar shows a colour picker (Paint). */
  colour?: boolean;
  /** The toolbar offers "Clear mask" (Brush, Eraser). */
  clearsMask?: boolean;
}

/** UI hints a tool owns (components read these, never the tool's name). */
export interface ToolHints {
  id: ToolId;
  /** CSS cursor over the canvas when the state has no hover cursor of its own. */
  cursor: string;
  brush?: BrushHints;
  /** Status line when the state has none of its own. */
  status: string;
}

export interface Tool<S extends string, M> extends ToolHints {
  /** When the tool is picked (its runner starts), before the initial state's onEnter. */
  onPick?(editor: Editor): void;
  initial: NoInfer<S>;
  states: Record<S, ToolState<S, M>>;
  /** Fresh state data for a runner of this tool (drag origins and the like). */
  memo(): M;
}

/** A running tool as the canvas drives it, whatever its states and data are. */
export interface ActiveTool {
  readonly hints: ToolHints;
  readonly stateName: string;
  /** In its initial state (no gesture in progress). */
  readonly idle: boolean;
  readonly status: string;
  /** The current state takes every coalesced pointer move. */
  readonly everyMove: boolean;
  pointerDown(p: ToolPointer): void;
  pointerMove(p: ToolPointer): void;
  pointerUp(p: ToolPointer): void;
  hoverCursor(p: ToolPointer): string | undefined;
  cancel(): void;
  dispose(): void;
}

/** A tool in the registry: its hints, and how to start it on an editor. */
export interface ToolDefinition extends ToolHints {
  start(editor: Editor): ActiveTool;
}
