import { useEffect, useRef, useState } from 'react';
import type { HistoryEntry } from '../../../electron/contract/api.js';
import { api } from '../api/api.js';
import { layerNameFromPrompt, rasterLayer } from '../document/newDocument.js';
import { useStore } from '../state/store.js';

const ROW = 64;
const OVERSCAN = 4;

/** Puts a history image back on the canvas as a layer at the frame (one undo step). */
function placeEntry(e: HistoryEntry): void {
  const s = useStore.getState();
  const f = s.history.doc.generationFrame;
  const layer = rasterLayer(layerNameFromPrompt(e.prompt, 'History'), e.imageId, { x: f.x, y: f.y, width: e.width, height: e.height });
  s.perform({ type: 'addLayer', layer, index: s.history.doc.layers.length }, 'Place from history');
  s.selectLayer(layer.id);
}

/** This document's generations, newest first; a fixed-height virtualised list that pages in as you scroll. */
export function HistoryPanel() {
  const entries = useStore((s) => s.historyEntries);
  const total = useStore((s) => s.historyTotal);
  const docId = useStore((s) => s.history.doc.id);
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 400 });

  useEffect(() => void useStore.getState().refreshHistory(), [docId]);
  useEffect(() => {
    const node = box.current;
    if (!node) return;
    const ro = new ResizeObserver(() => setScroll({ top: node.scrollTop, height: node.clientHeight }));
    ro.observe(node);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scroll.top / ROW) - OVERSCAN);
  const last = Math.min(entries.length, Math.ceil((scroll.top + scroll.height) / ROW) + OVERSCAN);
  const nearEnd = last >= entries.length - OVERSCAN;
  useEffect(() => {
    if (nearEnd) void useStore.getState().loadMoreHistory();
  }, [nearEnd, entries.length]);

  return (
    <section className="panel history-panel">
      <header><h2>History</h2><span className="count">{total}</span></header>
      {entries.length === 0 && <p className="empty">Generations of this document appear here.</p>}
      <div ref={box} className="history-scroll" onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
        <ul aria-label="History" className="history-list" style={{ height: entries.length * ROW }}>
          {entries.slice(first, last).map((e, i) => (
            <li key={`${e.id}-${e.imageId}`} className="history-row" style={{ top: (first + i) * ROW, height: ROW }} title={`${e.prompt}\nseed ${e.seed} · ${e.mode}`}
              onDoubleClick={() => placeEntry(e)}>
              <img className="thumb" src={api.imageUrl(e.imageId)} alt="" loading="lazy" draggable={false} />
              <div className="meta">
                <span className="history-prompt">{e.prompt || '(no prompt)'}</span>
                <span className="sub">{e.mode} · seed {e.seed} · {e.width}×{e.height}</span>
              </div>
              <button type="button" className="chip" onClick={() => placeEntry(e)} aria-label={`Place ${e.prompt || 'image'} on canvas`}>Place</button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
