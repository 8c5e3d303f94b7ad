import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { HistoryEntry } from '../../../electron/contract/api.js';
import { useStore } from '../state/store.js';
import { addToCanvas, deleteEntry, importPngs, rerun, toggleFavourite, useAsInitImage, useSettings, type Report } from './historyActions.js';
import { HistoryFilters } from './HistoryFilters.js';
import { isFiltered } from './historyQuery.js';
import { HistoryRow, type RowAction } from './HistoryRow.js';
import './history.css';

const ROW = 90;
const OVERSCAN = 4;

/** Asks before deleting: this image goes (the other seeds of its batch stay), its file unless something else uses it. */
function ConfirmDelete({ entry, onConfirm, onClose }: { entry: HistoryEntry; onConfirm(): void; onClose(): void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div role="alertdialog" aria-modal="true" aria-label="Delete from history" className="modal" onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
        <h2>Delete seed {entry.seed} from History?</h2>
        <p className="sub">“{entry.prompt || '(no prompt)'}”, seed {entry.seed}: only this image; other images of its batch stay. Its file is removed too unless another entry or this document still uses it. This cannot be undone.</p>
        <div className="modal-actions">
          <button ref={cancel} type="button" onClick={onClose}>Cancel</button>
          <button type="button" className="danger" onClick={onConfirm}>Delete</button>
        </div>
      </div>
    </div>
  );
}

/**
 * Generations newest first, searchable and filterable, of this document or all. The list is virtualised
 * (fixed row height, only visible rows in the DOM) and its scroll height is the full total, so the
 * scrollbar means the whole history; pages load as the view reaches rows not fetched yet.
 */
export function HistoryPanel() {
  const entries = useStore((s) => s.historyEntries);
  const total = useStore((s) => s.historyTotal);
  const filtered = useStore((s) => isFiltered(s.historyFilter) || s.historyFilter.scope === 'all');
  const docId = useStore((s) => s.undoHistory.doc.id);
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 400 });
  const [message, setMessage] = useState<{ notice?: string; error?: string }>({});
  const [confirm, setConfirm] = useState<HistoryEntry | null>(null);
  const busy = useStore((s) => s.job !== null);
  const [dropping, setDropping] = useState(false);
  const report: Report = useCallback((m) => setMessage(m), []);

  useEffect(() => void useStore.getState().refreshHistory(), [docId]);
  // Notices fade after a while; errors stay until dismissed or replaced.
  useEffect(() => {
    if (!message.notice || message.error) return;
    const t = setTimeout(() => setMessage({}), 6000);
    return () => clearTimeout(t);
  }, [message]);
  useEffect(() => {
    const node = box.current;
    if (!node) return;
    const ro = new ResizeObserver(() => setScroll({ top: node.scrollTop, height: node.clientHeight }));
    ro.observe(node);
    return () => ro.disconnect();
  }, []);

  const rows = Math.max(entries.length, total);
  const first = Math.max(0, Math.floor(scroll.top / ROW) - OVERSCAN);
  const last = Math.min(rows, Math.ceil((scroll.top + scroll.height) / ROW) + OVERSCAN);
  // Rows past what is loaded are in view (or nearly): fetch enough to cover them, 100..500 at a time.
  const missing = last - (entries.length - OVERSCAN);
  useEffect(() => {
    if (missing > 0) void useStore.getState().loadMoreHistory(Math.min(500, Math.max(100, missing + OVERSCAN)));
  }, [missing, entries.length]);

  const onAction = useCallback((a: RowAction, e: HistoryEntry) => {
    if (a === 'add') addToCanvas(e);
    else if (a === 'settings') useSettings(e, report);
    else if (a === 'init') useAsInitImage(e, report);
    else if (a === 'favourite') void toggleFavourite(e, report);
    else if (a === 'delete') setConfirm(e);
    else if (a === 'rerun') void rerun(e, report);
  }, [report]);

  const onDrop = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    e.stopPropagation();
    setDropping(false);
    void importPngs([...e.dataTransfer.files], report);
  };

  return (
    <section className={`panel history-panel${dropping ? ' dropping' : ''}`} aria-label="History panel"
      onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) { e.preventDefault(); setDropping(true); } }}
      onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false); }}
      onDrop={onDrop}>
      <header><h2>History</h2><span className="count" aria-label="History count">{total}</span></header>
      <HistoryFilters />
      {message.error && (
        <div className="history-message error" role="alert">
          <span title={message.error}>{message.error}</span>
          <button type="button" className="dismiss" aria-label="Dismiss" onClick={() => setMessage({})}>×</button>
        </div>
      )}
      {!message.error && message.notice && <p className="history-message" role="status">{message.notice}</p>}
      {entries.length === 0 && (
        <p className="empty">{filtered ? 'Nothing matches these filters.' : 'Generations of this document appear here. Drop PNGs with generation settings to import them.'}</p>
      )}
      <div ref={box} className="history-scroll" onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
        <ul aria-label="History" className="history-list" style={{ height: rows * ROW }}>
          {entries.slice(first, Math.min(last, entries.length)).map((e, i) => (
            <HistoryRow key={`${e.id}-${e.imageId}`} entry={e} top={(first + i) * ROW} height={ROW} busy={busy} onAction={onAction} />
          ))}
        </ul>
      </div>
      {confirm && (
        <ConfirmDelete entry={confirm} onClose={() => setConfirm(null)}
          onConfirm={() => { const e = confirm; setConfirm(null); void deleteEntry(e, report); }} />
      )}
    </section>
  );
}
