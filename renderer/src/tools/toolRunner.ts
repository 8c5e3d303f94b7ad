import type { Editor } from './editor.js';
import type { ActiveTool, Tool, ToolDefinition, ToolPointer } from './toolTypes.js';

export class UnknownToolStateError extends Error {}

/** Drives one tool's state machine on an editor. The canvas forwards events here and never asks which tool is on. */
export class ToolRunner<S extends string, M> implements ActiveTool {
  private state: S;
  private readonly memo: M;

  constructor(
    readonly tool: Tool<S, M>,
    private readonly editor: Editor,
  ) {
    this.memo = tool.memo();
    this.state = this.checked(tool.initial);
    tool.onPick?.(editor);
    tool.states[this.state].onEnter?.(editor, this.memo);
  }

  get hints(): Tool<S, M> {
    return this.tool;
  }

  get stateName(): S {
    return this.state;
  }

  get idle(): boolean {
    return this.state === this.tool.initial;
  }

  get status(): string {
    return this.tool.states[this.state].status ?? this.tool.status;
  }

  get everyMove(): boolean {
    return this.tool.states[this.state].everyMove === true;
  }

  pointerDown(p: ToolPointer): void {
    this.go(this.tool.states[this.state].onPointerDown?.(this.editor, this.memo, p), p);
  }

  pointerMove(p: ToolPointer): void {
    this.go(this.tool.states[this.state].onPointerMove?.(this.editor, this.memo, p), p);
  }

  pointerUp(p: ToolPointer): void {
    this.go(this.tool.states[this.state].onPointerUp?.(this.editor, this.memo, p), p);
  }

  /** Cursor for a hovering pointer, from the current state (undefined: the tool's default). */
  hoverCursor(p: ToolPointer): string | undefined {
    return this.tool.states[this.state].hoverCursor?.(this.editor, p);
  }

  cancel(): void {
    this.go(this.tool.states[this.state].onCancel?.(this.editor, this.memo) ?? this.tool.initial);
  }

  /** Leaving the tool: cancel what is in progress. */
  dispose(): void {
    if (!this.idle) this.cancel();
    this.tool.states[this.state].onExit?.(this.editor, this.memo);
  }

  /** A state name the tool does not have is a bug in the tool: it throws rather than leaving the tool stuck. */
  private checked(name: S): S {
    if (!Object.hasOwn(this.tool.states, name)) throw new UnknownToolStateError(`tool "${this.tool.id}" has no state "${name}"`);
    return name;
  }

  private go(next: S | void, p?: ToolPointer): void {
    if (next === undefined || next === this.state) return;
    const to = this.checked(next);
    this.tool.states[this.state].onExit?.(this.editor, this.memo);
    this.state = to;
    this.tool.states[to].onEnter?.(this.editor, this.memo, p);
  }
}

/** Registers a tool: its states and data stay typed inside, the registry sees hints and a start. */
export function defineTool<S extends string, M>(tool: Tool<S, M>): ToolDefinition {
  const { states: _states, initial: _initial, memo: _memo, onPick: _onPick, ...hints } = tool;
  return { ...hints, start: (editor) => new ToolRunner(tool, editor) };
}
