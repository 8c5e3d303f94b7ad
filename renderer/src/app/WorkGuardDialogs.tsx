import { useId, useState } from 'react';
import { useStore } from '../state/store.js';
import { saveDocument } from './documentActions.js';
import { discardRecovered, restoreRecovered, useRecovery } from './recovery.js';
import { useUnsavedGuard } from './unsavedGuard.js';

/** Start-up: the work an earlier session did not save, offered before anything can write over it. */
export function RecoveryDialog() {
  const { phase, document } = useRecovery();
  if (phase !== 'offered' || !document) return null;
  const layers = document.layers.length;
  return (
    <div className="modal-backdrop">
      <div role="dialog" aria-label="Recover unsaved work" className="modal">
        <h2>Recover unsaved work?</h2>
        <p>
          Atelier closed before “{document.name || 'Untitled'}” was saved. The autosaved copy has {layers} layer{layers === 1 ? '' : 's'}.
        </p>
        <div className="modal-actions">
          <button type="button" onClick={() => void discardRecovered()}>Discard</button>
          <button type="button" className="primary" autoFocus onClick={restoreRecovered}>Restore</button>
        </div>
      </div>
    </div>
  );
}

/** New / Open with unsaved changes: Save, Don't save or Cancel (which keeps everything as it is). */
export function UnsavedChangesDialog() {
  const pending = useUnsavedGuard((s) => s.pending);
  const savedName = useStore((s) => s.savedName);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();
  if (!pending) return null;
  const close = (): void => useUnsavedGuard.setState({ pending: null });
  const proceed = (): void => {
    close();
    pending();
  };
  const docName = savedName ?? (name || useStore.getState().undoHistory.doc.name || 'Untitled');
  return (
    <div className="modal-backdrop" onMouseDown={close}>
      <form role="dialog" aria-label="Unsaved changes" className="modal" onMouseDown={(e) => e.stopPropagation()}
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const saved = await saveDocument(docName.trim() || 'Untitled');
          setBusy(false);
          if (saved) proceed();
        }}>
        <h2>Save changes to “{savedName ?? (useStore.getState().undoHistory.doc.name || 'Untitled')}”?</h2>
        <p>Your changes are lost if you don't save them.</p>
        {!savedName && (
          <>
            <label htmlFor={id}>Save as</label>
            <input id={id} value={name || useStore.getState().undoHistory.doc.name || 'Untitled'} onChange={(e) => setName(e.target.value)} maxLength={120} />
          </>
        )}
        <div className="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="button" onClick={proceed}>Don't save</button>
          <button type="submit" className="primary" disabled={busy} autoFocus>{busy ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </div>
  );
}
