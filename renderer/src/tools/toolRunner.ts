import type { Tool, ToolMemo, ToolPointer } from './toolTypes.js';

/** Drives one tool's state machine. The canvas forwards events here and never asks which tool is on. */
export class ToolRunner {
  private state: string;
  private memo: ToolMemo = {};

  constructor(readonly tool: Tool) {
    this.state = tool.initial;
    tool.states[this.state]?.onEnter?.(this.memo);
  }

  get stateName(): string {
    return this.state;
  }

  pointerDown(p: ToolPointer): void {
    this.go(this.tool.states[this.state]?.onPointerDown?.(this.memo, p), p);
  }

  pointerMove(p: ToolPointer): void {
    this.go(this.tool.states[this.state]?.onPointerMove?.(this.memo, p), p);
  }

  pointerUp(p: ToolPointer): void {
    this.go(this.tool.states[this.state]?.onPointerUp?.(this.memo, p), p);
  }

  /** Cursor for a hovering pointer, from the current state (undefined: the tool's default). */
  hoverCursor(p: ToolPointer): string | undefined {
    return this.tool.states[this.state]?.hoverCursor?.(p);
  }

  cancel(): void {
    this.go(this.tool.states[this.state]?.onCancel?.(this.memo) ?? this.tool.initial);
  }

  /** Leaving the tool: cancel what is in progress. */
  dispose(): void {
    if (this.state !== this.tool.initial) this.cancel();
    this.tool.states[this.state]?.onExit?.(this.memo);
  }

  private go(next: string | void, p?: ToolPointer): void {
    if (!next || next === this.state || !this.tool.states[next]) return;
    this.tool.states[this.state]?.onExit?.(this.memo);
    this.state = next;
    this.tool.states[next].onEnter?.(this.memo, p);
  }
}
