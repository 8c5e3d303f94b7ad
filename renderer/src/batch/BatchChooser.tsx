import { useShallow } from 'zustand/react/shallow';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';
import { discardStaged, keepStaged } from './resultLayers.js';
import './batch.css';

/**
 * The chooser of a finished batch, over the canvas: the variations side by side (the one pointed at is
 * shown in the frame); click picks, double-click keeps that one, "Keep" adds the picked ones as layers in
 * one undo step, "Discard" closes it. Whatever is not kept stays in History.
 */
export function BatchChooser() {
  const st = useStore(useShallow((s) => (s.staging && s.staging.documentId === s.undoHistory.doc.id
    ? { images: s.staging.images, picked: s.staging.picked, shown: s.staging.shown, prompt: s.staging.prompt } : null)));
  if (!st) return null;
  const s = useStore.getState();
  const n = st.images.length;
  return (
    <section className="batch-chooser" role="region" aria-label="Batch chooser"
      onKeyDown={(e) => { if (e.key === 'Escape') discardStaged(); }}>
      <header>
        <h2>Batch of {n}</h2>
        <span className="sub">Click to pick, double-click to keep one. The rest stay in History.</span>
      </header>
      <ul className={`batch-grid${n <= 4 ? ' four-up' : ''}`} aria-label="Batch variations">
        {st.images.map((img, i) => {
          const picked = st.picked.includes(i);
          return (
            <li key={img.imageId}>
              <button type="button" className={`variation${picked ? ' picked' : ''}${st.shown === i ? ' shown' : ''}`} aria-pressed={picked}
                aria-label={`Seed ${img.seed}`} title={`${st.prompt} · seed ${img.seed}`}
                onMouseEnter={() => s.showStaged(i)} onFocus={() => s.showStaged(i)}
                onClick={() => s.togglePicked(i)} onDoubleClick={() => keepStaged([i])}>
                <img src={api.thumbnailUrl(img.imageId)} alt="" draggable={false} />
                <span className="seed">seed {img.seed}</span>
                {picked && <span className="check" aria-hidden="true">✓</span>}
              </button>
            </li>
          );
        })}
      </ul>
      <div className="batch-actions">
        <button type="button" className="primary" disabled={st.picked.length === 0} onClick={() => keepStaged()}>
          {st.picked.length > 1 ? `Keep ${st.picked.length}` : 'Keep'}
        </button>
        <button type="button" onClick={() => keepStaged(st.images.map((_, i) => i))}>Keep all</button>
        <button type="button" onClick={discardStaged} title="Close; the images stay in History">Discard</button>
      </div>
    </section>
  );
}
