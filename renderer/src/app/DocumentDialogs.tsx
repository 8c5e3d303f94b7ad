import { useEffect, useId, useState } from 'react';
import { api, errorMessage } from '../api/api.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../../electron/contract/api.js';
import { exportDocument, importDocumentFile, openDocument, saveDocument } from './documentActions.js';
import { useImportJob } from './importJob.js';

const FORMAT_LABELS: Record<ExportFormat, string> = {
  png: 'PNG image (flattened, with generation data)', jpg: 'JPEG image (flattened)', webp: 'WebP image (flattened)',
  psd: 'Photoshop PSD (layers and masks)', ora: 'OpenRaster ORA (layers)', atelier: 'Atelier document',
};

export function ExportDialog({ onClose }: { onClose(): void }) {
  const [format, setFormat] = useState<ExportFormat>('png');
  const [frameOnly, setFrameOnly] = useState(false);
  const [busy, setBusy] = useState<AbortController | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const id = useId();
  const flat = format === 'png' || format === 'jpg' || format === 'webp';
  return (
    <div className="modal-backdrop" onMouseDown={() => !busy && onClose()}>
      <form role="dialog" aria-label="Export" className="modal" onMouseDown={(e) => e.stopPropagation()}
        onSubmit={async (e) => {
          e.preventDefault();
          const abort = new AbortController();
          setBusy(abort);
          setProgress(null);
          const ok = await exportDocument(format, flat && frameOnly, { signal: abort.signal, onProgress: (done, total) => setProgress({ done, total }) });
          setBusy(null);
          if (ok || abort.signal.aborted) onClose();
        }}>
        <h2>Export</h2>
        <label htmlFor={id}>Format</label>
        <select id={id} value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          {EXPORT_FORMATS.map((f) => <option key={f} value={f}>{FORMAT_LABELS[f]}</option>)}
        </select>
        {flat && <label className="check"><input type="checkbox" checked={frameOnly} onChange={(e) => setFrameOnly(e.target.checked)} /> Only the generation frame</label>}
        {busy && (
          <progress className="export-progress" aria-label="Export progress" value={progress?.done ?? 0} max={progress?.total || 1} />
        )}
        <div className="modal-actions">
          {busy
            ? <button type="button" onClick={() => busy.abort()}>Cancel export</button>
            : <button type="button" onClick={onClose}>Close</button>}
          <button type="submit" className="primary" disabled={!!busy}>{busy ? 'Exporting…' : 'Export file'}</button>
        </div>
      </form>
    </div>
  );
}

export function SaveDialog({ initial, onClose }: { initial: string; onClose(): void }) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <form role="dialog" aria-label="Save document" className="modal" onMouseDown={(e) => e.stopPropagation()}
        onSubmit={async (e) => {
          e.preventDefault();
          const n = name.trim();
          if (!n) return setError('Give the document a name.');
          if (await saveDocument(n)) onClose();
          else setError('Could not save; see the message next to the prompt.');
        }}>
        <h2>Save document</h2>
        <label htmlFor={id}>Document name</label>
        <input id={id} autoFocus value={name} onChange={(e) => setName(e.target.value)} maxLength={120} />
        {error && <div className="error" role="alert">{error}</div>}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>Close</button>
          <button type="submit" className="primary">Save</button>
        </div>
      </form>
    </div>
  );
}

export function OpenDialog({ onClose }: { onClose(): void }) {
  const [docs, setDocs] = useState<{ name: string; modifiedAt: number }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.listDocuments().then((r) => setDocs(r.documents), (e) => setError(errorMessage(e)));
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div role="dialog" aria-label="Open document" className="modal" onMouseDown={(e) => e.stopPropagation()}>
        <h2>Open document</h2>
        {error && <div className="error" role="alert">{error}</div>}
        <ul aria-label="Documents" className="doc-list">
          {docs?.length === 0 && <li className="empty">No saved documents yet.</li>}
          {docs?.map((d) => (
            <li key={d.name}>
              <button type="button" onClick={async () => { await openDocument(d.name); onClose(); }}>
                <span>{d.name}</span><span className="sub">{new Date(d.modifiedAt).toLocaleString()}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="modal-actions">
          <label className="file-button">
            Open a file…
            <input type="file" aria-label="Open a file" accept=".atelier,.psd,.ora,.png,.jpg,.jpeg,.webp"
              onChange={(e) => { const f = e.target.files?.[0]; if (f) { void importDocumentFile(f); onClose(); } }} />
          </label>
          <button type="button" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}

/** While a file opens (Open a file…, or dropped): the core's steps as a bar, and Cancel, like Export. */
export function ImportProgressDialog() {
  const job = useImportJob((s) => s.job);
  if (!job) return null;
  const { progress } = job;
  // Step 0 is the file being read and its layers decoded (one long step); then each layer is stored.
  const status = !progress ? `Reading "${job.fileName}"…` : progress.done === 0 ? `Decoding the layers of "${job.fileName}"…` : `Storing layers (${progress.done} of ${progress.total})…`;
  return (
    <div className="modal-backdrop">
      <div role="dialog" aria-label="Opening file" className="modal">
        <h2>Opening file</h2>
        <div className="sub" role="status">{status}</div>
        {progress && progress.done > 0
          ? <progress className="export-progress" aria-label="Import progress" value={progress.done} max={progress.total || 1} />
          : <progress className="export-progress" aria-label="Import progress" />}
        <div className="modal-actions">
          <button type="button" onClick={() => job.abort.abort()}>Cancel</button>
        </div>
      </div>
    </div>
  );
}
