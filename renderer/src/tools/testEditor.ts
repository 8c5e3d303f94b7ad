import { ArrayPaintSurface } from '../document/paintSurface.js';
import { createDocument, rasterLayer } from '../document/newDocument.js';
import { setPaintSurface } from '../state/paintSurfaceRegistry.js';
import { useStore } from '../state/store.js';
import type { ToolId } from '../state/viewSlice.js';
import { createEditor } from './editor.js';
import { strokePainter } from './paint/strokePainter.js';
import { TOOLS } from './tools.js';
import type { ActiveTool, ToolPointer } from './toolTypes.js';

/**
 * A headless editor for tool tests: the real store and tool state machines, an array-backed mask,
 * zoom 1 and no pan (document = screen coordinates). Resets the store on creation.
 */
export function testEditor(size = 256) {
  const surface = new ArrayPaintSurface(size, size);
  setPaintSurface(surface);
  useStore.setState(useStore.getInitialState(), true);
  useStore.getState().loadDocument(createDocument(size, size), null);
  useStore.getState().setView({ zoom: 1, panX: 0, panY: 0 });
  const at = (x: number, y: number, mods: Partial<ToolPointer> = {}): ToolPointer => ({ x, y, sx: x, sy: y, shift: false, alt: false, ...mods });
  // The editor the tools get: the real store, this array mask, whatever stroke painter the test installed.
  const tools = createEditor({ store: () => useStore.getState(), mask: () => surface, painter: strokePainter });
  let runner: ActiveTool | null = null;
  const editor = {
    surface,
    tools,
    get state() {
      return useStore.getState();
    },
    get doc() {
      return useStore.getState().undoHistory.doc;
    },
    use(tool: ToolId) {
      runner?.dispose();
      useStore.getState().setTool(tool);
      runner = TOOLS[tool].start(tools);
      return editor;
    },
    get runner(): ActiveTool {
      if (!runner) throw new Error('call use(tool) first');
      return runner;
    },
    down(x: number, y: number, mods?: Partial<ToolPointer>) {
      editor.runner.pointerDown(at(x, y, mods));
      return editor;
    },
    move(x: number, y: number, mods?: Partial<ToolPointer>) {
      editor.runner.pointerMove(at(x, y, mods));
      return editor;
    },
    up(x: number, y: number, mods?: Partial<ToolPointer>) {
      editor.runner.pointerUp(at(x, y, mods));
      return editor;
    },
    /** Press at `from`, move in `steps` to `to`, release. */
    drag(from: [number, number], to: [number, number], steps = 4) {
      editor.down(...from);
      for (let i = 1; i <= steps; i++) editor.move(from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps);
      return editor.up(...to);
    },
    escape() {
      editor.runner.cancel();
      return editor;
    },
    addLayer(name: string, x: number, y: number, w = 64, h = 64) {
      const layer = rasterLayer(name, 'c'.repeat(64), { x, y, width: w, height: h });
      useStore.getState().perform({ type: 'addLayer', layer, index: editor.doc.layers.length }, 'Add');
      return layer.id;
    },
  };
  return editor;
}
