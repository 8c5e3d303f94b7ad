import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DocumentRegion } from '../../../electron/contract/document.js';
import { useStore } from '../state/store.js';

/** One shared empty list: a fresh [] per render would make the shallow selector see a change every time. */
const NO_REGIONS: DocumentRegion[] = [];

function setRegions(regions: DocumentRegion[], label: string): void {
  useStore.getState().perform({ type: 'setRegions', regions }, label);
}

/** One region's prompt: edited locally, committed as one undo step when the field loses focus. */
function RegionRow({ region, index, selected }: { region: DocumentRegion; index: number; selected: boolean }) {
  const [text, setText] = useState(region.prompt);
  useEffect(() => setText(region.prompt), [region.prompt]);
  const commit = () => {
    if (text === region.prompt) return;
    const regions = useStore.getState().undoHistory.doc.regions ?? [];
    setRegions(regions.map((r) => (r.id === region.id ? { ...r, prompt: text } : r)), 'Edit region prompt');
  };
  return (
    <li className={`region-row${selected ? ' selected' : ''}`} onFocus={() => useStore.getState().selectRegion(region.id)}>
      <div className="label-row">
        <span className="region-badge">{index + 1}</span>
        <span className="region-size">{region.width} × {region.height} at {region.x}, {region.y}</span>
        <button type="button" className="chip" aria-label={`Delete region ${index + 1}`}
          onClick={() => setRegions((useStore.getState().undoHistory.doc.regions ?? []).filter((r) => r.id !== region.id), 'Delete region')}>Delete</button>
      </div>
      <textarea rows={2} aria-label={`Region ${index + 1} prompt`} placeholder="What goes in this area…" value={text} autoFocus={selected && region.prompt === ''}
        onChange={(e) => setText(e.target.value)} onBlur={commit} />
    </li>
  );
}

/** Regional prompts of the document: drawn with the Regions tool; the main prompt covers the rest of the frame. */
export function RegionsPanel() {
  const { regions, selected, tool } = useStore(useShallow((s) => ({ regions: s.undoHistory.doc.regions ?? NO_REGIONS, selected: s.selectedRegionId, tool: s.tool })));
  if (regions.length === 0 && tool !== 'regions') return null;
  return (
    <fieldset className="regions-panel">
      <legend>Regions</legend>
      {regions.length === 0 && <p className="hint">Drag on the canvas to draw an area, then say what goes in it. The prompt above covers the rest.</p>}
      <ol>
        {regions.map((r, i) => <RegionRow key={r.id} region={r} index={i} selected={r.id === selected} />)}
      </ol>
    </fieldset>
  );
}
