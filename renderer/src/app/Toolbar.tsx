import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../state/store.js';
import { ZOOM_STEP, type ToolId } from '../state/viewSlice.js';
import { TOOLS } from '../tools/tools.js';
import { Icon } from './icons.js';

const TOOL_BUTTONS: { id: ToolId; label: string; key: string }[] = [
  { id: 'move', label: 'Move', key: 'V' },
  { id: 'frame', label: 'Frame', key: 'F' },
  { id: 'regions', label: 'Regions', key: 'R' },
  { id: 'paint', label: 'Paint', key: 'P' },
  { id: 'brush', label: 'Brush', key: 'B' },
  { id: 'eraser', label: 'Eraser', key: 'E' },
  { id: 'hand', label: 'Hand', key: 'H' },
];

/** Tools, brush settings and zoom. */
export function Toolbar() {
  const v = useStore(useShallow((s) => ({ tool: s.tool, size: s.brushSize, hardness: s.brushHardness, colour: s.paintColour, maskHidden: s.maskHidden })));
  const s = useStore.getState();
  const brush = TOOLS[v.tool].brush;
  return (
    <div className="toolbar" role="toolbar" aria-label="Tools">
      {TOOL_BUTTONS.map((t) => (
        <button key={t.id} type="button" className={`tool${v.tool === t.id ? ' active' : ''}`} aria-pressed={v.tool === t.id} title={`${t.label} (${t.key})`}
          onClick={() => s.setTool(t.id)} aria-label={t.label}>
          <Icon name={t.id} /><span className="tool-label">{t.label}</span>
        </button>
      ))}
      <button type="button" className="tool" aria-pressed={!v.maskHidden} title="Show the mask overlay (the mask is kept either way)"
        onClick={() => s.setMaskHidden(!v.maskHidden)}>Show mask</button>
      {brush && (
        <div className="brush-settings">
          {brush.colour && <label>Colour <input type="color" style={{ width: 36 }} value={v.colour} aria-label="Paint colour" onChange={(e) => s.setBrush({ paintColour: e.target.value })} /></label>}
          <label>Size <input type="range" min={1} max={512} value={v.size} aria-label="Brush size" onChange={(e) => s.setBrush({ brushSize: Number(e.target.value) })} /> <span>{v.size}px</span></label>
          <label>Hardness <input type="range" min={0} max={100} value={Math.round(v.hardness * 100)} aria-label="Brush hardness" onChange={(e) => s.setBrush({ brushHardness: Number(e.target.value) / 100 })} /></label>
          {brush.clearsMask && <button type="button" onClick={() => s.clearMask()}>Clear mask</button>}
        </div>
      )}
    </div>
  );
}

/** Zoom controls, shown in the status bar (the toolbar row holds tools and brush settings). */
export function ZoomControls() {
  const zoom = useStore((s) => s.zoom);
  const s = useStore.getState();
  return (
    <div className="zoom-controls" role="group" aria-label="Zoom">
      <button type="button" onClick={() => s.zoomAt(1 / ZOOM_STEP, s.viewportWidth / 2, s.viewportHeight / 2)} aria-label="Zoom out">−</button>
      <span className="zoom-readout" aria-label="Zoom level">{Math.round(zoom * 100)}%</span>
      <button type="button" onClick={() => s.zoomAt(ZOOM_STEP, s.viewportWidth / 2, s.viewportHeight / 2)} aria-label="Zoom in">+</button>
      <button type="button" onClick={() => s.zoomToFit()}>Fit</button>
      <button type="button" onClick={() => s.zoomTo100()}>100%</button>
    </div>
  );
}

export const TOOL_KEYS: Record<string, ToolId> = { v: 'move', f: 'frame', r: 'regions', b: 'brush', e: 'eraser', h: 'hand', p: 'paint' };
