import { useEffect, useState } from 'react';
import type { RasterLayer } from '../../../electron/contract/document.js';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';
import { copyLayerToClipboard, startLayerDragOut } from './layerTransfer.js';
import { UpscaleDialog } from './UpscaleDialog.js';

function LayerRow({ layer, index, selected }: { layer: RasterLayer; index: number; selected: boolean }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(layer.name);
  useEffect(() => setName(layer.name), [layer.name]);
  const s = useStore.getState();
  const commitName = () => {
    setEditing(false);
    const n = name.trim().slice(0, 255);
    if (n && n !== layer.name) s.perform({ type: 'updateLayer', id: layer.id, patch: { name: n } }, 'Rename layer');
    else setName(layer.name);
  };
  return (
    <li className={`layer-row${selected ? ' selected' : ''}${layer.visible ? '' : ' hidden-layer'}`} aria-current={selected ? "true" : undefined} data-index={index}
      onClick={() => s.selectLayer(layer.id)} onDoubleClick={() => setEditing(true)}>
      <button type="button" className="eye" aria-label={`${layer.visible ? 'Hide' : 'Show'} ${layer.name}`} aria-pressed={layer.visible}
        onClick={(e) => { e.stopPropagation(); s.perform({ type: 'updateLayer', id: layer.id, patch: { visible: !layer.visible } }, layer.visible ? 'Hide layer' : 'Show layer'); }}>
        {layer.visible ? '●' : '○'}
      </button>
      <img className="thumb" src={api.imageUrl(layer.imageId)} alt="" draggable title="Drag out to save as PNG"
        onDragStart={(e) => startLayerDragOut(e.nativeEvent, layer)} />
      {editing ? (
        <input className="rename" aria-label="Layer name" autoFocus value={name} onChange={(e) => setName(e.target.value)} onBlur={commitName}
          onKeyDown={(e) => { if (e.key === 'Enter') commitName(); if (e.key === 'Escape') { setName(layer.name); setEditing(false); } }} />
      ) : (
        <span className="layer-name" title={generatedWith(layer)}>{layer.name}</span>
      )}
      {layer.mask && <span className="badge" title="Has a layer mask">mask</span>}
    </li>
  );
}

/** Opacity slider: live while dragging (session), one undo step when released. */
function OpacityControl({ layer }: { layer: RasterLayer }) {
  const [value, setValue] = useState(Math.round(layer.opacity * 100));
  useEffect(() => setValue(Math.round(layer.opacity * 100)), [layer.opacity, layer.id]);
  const commit = () => {
    const opacity = value / 100;
    useStore.getState().setSession({});
    if (opacity !== layer.opacity) useStore.getState().perform({ type: 'updateLayer', id: layer.id, patch: { opacity } }, 'Layer opacity');
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
  const selectedIndex = layers.findIndex((l) => l.id === selectedId);
  const selected = selectedIndex >= 0 ? (layers[selectedIndex] as RasterLayer) : null;
  const s = useStore.getState();
  const rows = layers.map((l, i) => ({ l, i })).filter(({ l }) => l.kind === 'raster').reverse();
  return (
    <section className="panel layers-panel">
      <header><h2>Layers</h2><span className="count">{layers.length}</span></header>
      {rows.length === 0 && <p className="empty">No layers yet. Generate, or drop an image on the canvas.</p>}
      <ul aria-label="Layers" className="layer-list">
        {rows.map(({ l, i }) => <LayerRow key={l.id} layer={l as RasterLayer} index={i} selected={l.id === selectedId} />)}
      </ul>
      <div className="layer-actions">
        <button type="button" disabled={!selected || selectedIndex >= layers.length - 1} onClick={() => selected && s.perform({ type: 'moveLayerInStack', id: selected.id, toIndex: selectedIndex + 1 }, 'Raise layer')}>Raise layer</button>
        <button type="button" disabled={!selected || selectedIndex <= 0} onClick={() => selected && s.perform({ type: 'moveLayerInStack', id: selected.id, toIndex: selectedIndex - 1 }, 'Lower layer')}>Lower layer</button>
        <button type="button" disabled={!selected} onClick={() => {
          if (!selected) return;
          copyLayerToClipboard(selected).then(
            () => s.setGenerate({ notice: `Copied "${selected.name}" to the clipboard`, error: null }),
            (e: unknown) => s.setGenerate({ error: `Copy failed: ${e instanceof Error ? e.message : String(e)}` }),
          );
        }}>Copy layer</button>
        <button type="button" disabled={!selected} onClick={() => setUpscaling(true)}>Upscale…</button>
        <button type="button" className="danger" disabled={!selected} onClick={() => { if (selected) { s.perform({ type: 'removeLayer', id: selected.id }, 'Delete layer'); s.selectLayer(null); } }}>Delete layer</button>
      </div>
      {selected && <OpacityControl layer={selected} />}
      {selected && upscaling && <UpscaleDialog layer={selected} onClose={() => setUpscaling(false)} />}
      {selected && <div className="layer-geometry" aria-label="Layer position">x {selected.x + (drag?.id === selected.id ? drag.dx : 0)}, y {selected.y + (drag?.id === selected.id ? drag.dy : 0)} · {selected.width}×{selected.height}</div>}
    </section>
  );
}

/** The parameters a generated layer keeps, as a tooltip: prompt, seed, steps, strength, model. */
function generatedWith(layer: RasterLayer): string | undefined {
  const g = layer.source?.settings;
  if (!g) return undefined;
  return `${g.prompt}\n${g.mode} · seed ${g.seed} · ${g.steps} steps · guidance ${g.guidance}${g.mode === 'txt2img' ? '' : ` · strength ${g.strength}`}${layer.source?.model ? ` · ${layer.source.model}` : ''}`;
}
