import { useEffect, useMemo, useState } from 'react';
import type { Layer, RasterLayer } from '../../../electron/contract/document.js';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';
import { copyLayerToClipboard, startLayerDragOut } from './layerTransfer.js';
import { UpscaleDialog } from './UpscaleDialog.js';
import { layerRows, removeCommand, stackMove, type LayerRowInfo } from './layerStack.js';

function LayerRow({ row, selected, expanded, onToggle }: { row: LayerRowInfo; selected: boolean; expanded: boolean; onToggle(): void }) {
  const { layer, index, depth } = row;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(layer.name);
  useEffect(() => setName(layer.name), [layer.name]);
  const s = useStore.getState();
  const group = layer.kind === 'group';
  const commitName = () => {
    setEditing(false);
    const n = name.trim().slice(0, 255);
    if (n && n !== layer.name) s.perform({ type: 'updateLayer', id: layer.id, patch: { name: n } }, group ? 'Rename group' : 'Rename layer');
    else setName(layer.name);
  };
  return (
    <li className={`layer-row${selected ? ' selected' : ''}${layer.visible && !row.hiddenByGroup ? '' : ' hidden-layer'}${group ? ' group-row' : ''}`} aria-current={selected ? "true" : undefined} data-index={index}
      data-depth={depth || undefined} style={depth ? { paddingLeft: 6 + depth * 16 } : undefined}
      onClick={() => s.selectLayer(layer.id)} onDoubleClick={() => setEditing(true)}>
      <button type="button" className="eye" aria-label={`${layer.visible ? 'Hide' : 'Show'} ${layer.name}`} aria-pressed={layer.visible}
        onClick={(e) => { e.stopPropagation(); s.perform({ type: 'updateLayer', id: layer.id, patch: { visible: !layer.visible } }, layer.visible ? `Hide ${group ? 'group' : 'layer'}` : `Show ${group ? 'group' : 'layer'}`); }}>
        {layer.visible ? '●' : '○'}
      </button>
      {group ? (
        <button type="button" className="group-toggle" aria-expanded={expanded} aria-label={`${expanded ? 'Collapse' : 'Expand'} ${layer.name}`}
          onClick={(e) => { e.stopPropagation(); onToggle(); }}>{expanded ? '▾' : '▸'}</button>
      ) : (
        <img className="thumb" src={api.imageUrl(layer.imageId)} alt="" draggable title="Drag out to save as PNG"
          onDragStart={(e) => startLayerDragOut(e.nativeEvent, layer)} />
      )}
      {editing ? (
        <input className="rename" aria-label="Layer name" autoFocus value={name} onChange={(e) => setName(e.target.value)} onBlur={commitName}
          onKeyDown={(e) => { if (e.key === 'Enter') commitName(); if (e.key === 'Escape') { setName(layer.name); setEditing(false); } }} />
      ) : (
        <span className="layer-name" title={layer.kind === 'raster' ? generatedWith(layer) : undefined}>{layer.name}</span>
      )}
      {group && <span className="badge" title={`Group of ${row.childCount} layer${row.childCount === 1 ? '' : 's'}${layer.blendMode === 'normal' ? '' : `, ${layer.blendMode}`}`}>group · {row.childCount}</span>}
      {layer.kind === 'raster' && layer.mask && <span className="badge" title="Has a layer mask">mask</span>}
    </li>
  );
}

/** Opacity slider: live while dragging (session), one undo step when released. */
function OpacityControl({ layer }: { layer: Layer }) {
  const [value, setValue] = useState(Math.round(layer.opacity * 100));
  useEffect(() => setValue(Math.round(layer.opacity * 100)), [layer.opacity, layer.id]);
  const commit = () => {
    const opacity = value / 100;
    useStore.getState().setSession({});
    if (opacity !== layer.opacity) useStore.getState().perform({ type: 'updateLayer', id: layer.id, patch: { opacity } }, layer.kind === 'group' ? 'Group opacity' : 'Layer opacity');
  };
  return (
    <label className="opacity">
      Opacity
      <input type="range" min={0} max={100} value={value} aria-label="Opacity" onChange={(e) => {
        const v = Number(e.target.value);
        setValue(v);
        useStore.getState().setSession({ layerOpacity: { id: layer.id, opacity: v / 100 } });
      }} onPointerUp={commit} onKeyUp={commit} onBlur={commit} />
      <span>{value}%</span>
    </label>
  );
}

export function LayersPanel() {
  const layers = useStore((s) => s.undoHistory.doc.layers);
  const selectedId = useStore((s) => s.selectedLayerId);
  const drag = useStore((s) => s.session.layerDrag);
  const [upscaling, setUpscaling] = useState(false);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => layerRows(layers, collapsed), [layers, collapsed]);
  const chosen = layers.find((l) => l.id === selectedId) ?? null;
  const selected = chosen?.kind === 'raster' ? chosen : null;
  const raise = chosen && stackMove(layers, chosen.id, 1);
  const lower = chosen && stackMove(layers, chosen.id, -1);
  const s = useStore.getState();
  const toggle = (id: string) => setCollapsed((c) => {
    const next = new Set(c);
    if (!next.delete(id)) next.add(id);
    return next;
  });
  return (
    <section className="panel layers-panel">
      <header><h2>Layers</h2><span className="count">{layers.length}</span></header>
      {rows.length === 0 && <p className="empty">No layers yet. Generate, or drop an image on the canvas.</p>}
      <ul aria-label="Layers" className="layer-list">
        {rows.map((row) => <LayerRow key={row.layer.id} row={row} selected={row.layer.id === selectedId} expanded={!collapsed.has(row.layer.id)} onToggle={() => toggle(row.layer.id)} />)}
      </ul>
      <div className="layer-actions">
        <button type="button" disabled={!raise} onClick={() => raise && s.perform(raise, 'Raise layer')}>Raise layer</button>
        <button type="button" disabled={!lower} onClick={() => lower && s.perform(lower, 'Lower layer')}>Lower layer</button>
        <button type="button" disabled={!selected} onClick={() => {
          if (!selected) return;
          copyLayerToClipboard(selected).then(
            () => s.setGenerate({ notice: `Copied "${selected.name}" to the clipboard`, error: null }),
            (e: unknown) => s.setGenerate({ error: `Copy failed: ${e instanceof Error ? e.message : String(e)}` }),
          );
        }}>Copy layer</button>
        <button type="button" disabled={!selected} onClick={() => setUpscaling(true)}>Upscale…</button>
        <button type="button" className="danger" disabled={!chosen} onClick={() => {
          if (!chosen) return;
          s.perform(removeCommand(layers, chosen.id), chosen.kind === 'group' ? 'Delete group' : 'Delete layer');
          s.selectLayer(null);
        }}>{chosen?.kind === 'group' ? 'Delete group' : 'Delete layer'}</button>
      </div>
      {chosen && <OpacityControl layer={chosen} />}
      {selected && upscaling && <UpscaleDialog layer={selected} onClose={() => setUpscaling(false)} />}
      {selected && <div className="layer-geometry" aria-label="Layer position">x {selected.x + (drag?.id === selected.id ? drag.dx : 0)}, y {selected.y + (drag?.id === selected.id ? drag.dy : 0)} · {selected.width}×{selected.height}</div>}
    </section>
  );
}

/** The parameters a generated layer keeps, as a tooltip: prompt, seed, steps, strength, model. */
function generatedWith(layer: RasterLayer): string | undefined {
  const g = layer.source?.settings;
  if (!g) return undefined;
  return `${g.prompt}\n${g.mode} · seed ${g.seed} · ${g.steps} steps · guidance ${g.guidance}${g.mode === 'txt2img' ? '' : ` · strength ${g.strength}`}${layer.source?.model ? ` · ${layer.source.model}` : ''}${layer.source?.edited ? '\npainted over since' : ''}`;
}
