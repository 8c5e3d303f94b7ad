import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';

/** Search (debounced), scope, model, date range and favourites: every change reloads the first page. */
export function HistoryFilters() {
  const f = useStore(useShallow((s) => s.historyFilter));
  const total = useStore((s) => s.historyTotal);
  const set = useStore.getState().setHistoryFilter;
  const [text, setText] = useState(f.query);
  const [models, setModels] = useState<string[]>([]);

  useEffect(() => {
    if (text === useStore.getState().historyFilter.query) return;
    const t = setTimeout(() => set({ query: text }), 200);
    return () => clearTimeout(t);
  }, [text, set]);
  // Model names come from the history itself (entries of models no longer installed still filter).
  useEffect(() => {
    api.listHistoryModels().then((r) => setModels(r.models.map((m) => m.name)), () => setModels([]));
  }, [total]);

  return (
    <div className="history-filters">
      <input type="search" aria-label="Search history" placeholder="Search prompts…" value={text} onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Enter') set({ query: text }); }} />
      <div className="scope" role="radiogroup" aria-label="Scope">
        {(['document', 'all'] as const).map((scope) => (
          <label key={scope} className={f.scope === scope ? 'on' : ''}>
            <input type="radio" name="history-scope" checked={f.scope === scope} onChange={() => set({ scope })} />
            {scope === 'document' ? 'This document' : 'All'}
          </label>
        ))}
      </div>
      <div className="filter-row">
        <select aria-label="Made with" value={f.model} onChange={(e) => set({ model: e.target.value })}>
          <option value="">Any model</option>
          {f.model && !models.includes(f.model) && <option value={f.model}>{f.model}</option>}
          {models.map((m) => <option key={m} value={m}>{m}</option>)}
        </select>
        <label className="check fav-toggle">
          <input type="checkbox" checked={f.favouritesOnly} onChange={(e) => set({ favouritesOnly: e.target.checked })} /> Favourites only
        </label>
      </div>
      <div className="filter-row dates">
        <input type="date" aria-label="From date" value={f.from} max={f.to || undefined} onChange={(e) => set({ from: e.target.value })} />
        <span aria-hidden="true">–</span>
        <input type="date" aria-label="To date" value={f.to} min={f.from || undefined} onChange={(e) => set({ to: e.target.value })} />
      </div>
    </div>
  );
}
