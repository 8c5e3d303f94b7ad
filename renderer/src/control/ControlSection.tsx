import { useEffect, useId, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { CONTROL_TYPES, MAX_CONTROLS, type ControlType } from '../../../electron/contract/control.js';
import type { RasterLayer } from '../../../electron/contract/document.js';
import { api, errorMessage } from '../api/api.js';
import { useStore } from '../state/store.js';
import { controlSources, drawControlLayer, mapCanvas } from './controlMaps.js';
import type { ControlEntry } from './controlSlice.js';
import './control.css';

const TYPE_LABELS: Record<ControlType, string> = { none: 'None (a ready map)', canny: 'Canny edges', scribble: 'Scribble' };
const DRAW = '__draw';
const PREVIEW_WIDTH = 88;

/** The map the row will send, from its source's pixels in the frame (recomputed as the sketch or frame changes). */
function ControlPreview({ entry }: { entry: ControlEntry }) {
  const layer = useStore((s) => s.undoHistory.doc.layers.find((l): l is RasterLayer => l.id === entry.source && l.kind === 'raster'));
  const frame = useStore((s) => s.undoHistory.doc.generationFrame);
  const ref = useRef<HTMLCanvasElement>(null);
  const height = Math.round((PREVIEW_WIDTH * frame.height) / frame.width);
  useEffect(() => {
    const out = ref.current?.getContext('2d');
    if (!out) return;
    const blank = () => {
      out.fillStyle = '#000';
      out.fillRect(0, 0, PREVIEW_WIDTH, height);
    };
    if (!layer) return blank();
    let stale = false;
    // Debounced: a stroke commits one layer update, a frame drag many. The previous map stays on screen
    // until the new one is ready, so the preview never flashes black while the user sketches.
    const t = setTimeout(() => {
      mapCanvas(layer, entry, frame).then(
        (map) => {
          if (stale) return;
          blank();
          out.imageSmoothingQuality = 'high';
          out.drawImage(map, 0, 0, PREVIEW_WIDTH, height);
        },
        (e) => { if (!stale) useStore.getState().setGenerate({ error: `The control map could not be made: ${errorMessage(e)}` }); },
      );
    }, 150);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [layer, frame, entry.type, height]);
  return <canvas ref={ref} className="control-preview" width={PREVIEW_WIDTH} height={height} aria-label="Control map preview" />;
}

function Fraction(props: { label: string; value: number; min: number; max: number; step: number; onChange(v: number): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input id={id} type="number" value={props.value} min={props.min} max={props.max} step={props.step}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v)) props.onChange(Math.min(props.max, Math.max(props.min, v)));
        }} />
    </div>
  );
}

function ControlRow({ entry, index }: { entry: ControlEntry; index: number }) {
  const controlNets = useStore((s) => s.controlNets);
  const sources = useStore(useShallow((s) => controlSources(s.undoHistory.doc)));
  const update = (patch: Partial<ControlEntry>) => useStore.getState().updateControl(entry.id, patch);
  const ids = { model: useId(), type: useId(), source: useId() };
  const pickSource = (value: string) => {
    if (value !== DRAW) return update({ source: value });
    drawControlLayer().then(
      (layerId) => update({ source: layerId, type: 'scribble' }),
      (e) => useStore.getState().setGenerate({ error: `The Control layer could not be made: ${errorMessage(e)}` }),
    );
  };
  return (
    <div className="control-row" role="group" aria-label={`Control ${index + 1}`}>
      <div className="control-head">
        <span className="control-title">Control {index + 1}</span>
        <button type="button" className="chip" aria-label={`Remove control ${index + 1}`} onClick={() => useStore.getState().removeControl(entry.id)}>Remove</button>
      </div>
      <div className="control-body">
        <div className="control-fields">
          <div className="field">
            <label htmlFor={ids.model}>ControlNet</label>
            <select id={ids.model} value={entry.model} onChange={(e) => update({ model: e.target.value })}>
              {controlNets.length === 0 && <option value="">No ControlNet installed</option>}
              {controlNets.map((m) => <option key={m.id} value={m.id}>{m.label && m.label !== m.id ? `${m.label} (${m.id})` : m.id}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.type}>Type</label>
            <select id={ids.type} value={entry.type} onChange={(e) => update({ type: e.target.value as ControlType })}>
              {CONTROL_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABELS[t]}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.source}>Source</label>
            <select id={ids.source} value={entry.source} onChange={(e) => pickSource(e.target.value)}>
              <option value="">Pick a layer…</option>
              {sources.map((l) => <option key={l.id} value={l.id}>{l.role === 'control' ? `✎ ${l.name}` : l.name}</option>)}
              <option value={DRAW}>Draw (new Control layer)</option>
            </select>
          </div>
        </div>
        <ControlPreview entry={entry} />
      </div>
      <div className="row">
        <Fraction label="Strength" value={entry.scale} min={0} max={2} step={0.05} onChange={(scale) => update({ scale })} />
        <Fraction label="Start" value={entry.start} min={0} max={1} step={0.05} onChange={(start) => update({ start })} />
        <Fraction label="End" value={entry.end} min={0} max={1} step={0.05} onChange={(end) => update({ end })} />
      </div>
    </div>
  );
}

/** The prompt panel's Control section (issue 20): ControlNets that guide Generate by a layer or a sketch. */
export function ControlSection() {
  const controls = useStore((s) => s.controls);
  useEffect(() => {
    // Its own listing: ControlNets are picked here only, and a Models-dialog import shows on the next open.
    api.listModels().then(
      ({ controlNets }) => useStore.getState().setControlNets(controlNets ?? []),
      () => useStore.getState().setControlNets([]),
    );
  }, []);
  return (
    <fieldset className="control-section">
      <legend>Control</legend>
      {controls.map((c, i) => <ControlRow key={c.id} entry={c} index={i} />)}
      <button type="button" className="chip add-control" disabled={controls.length >= MAX_CONTROLS}
        title={controls.length >= MAX_CONTROLS ? `At most ${MAX_CONTROLS} controls` : 'A ControlNet that follows a layer or a sketch'}
        onClick={() => useStore.getState().addControl()}>+ Add control</button>
    </fieldset>
  );
}
