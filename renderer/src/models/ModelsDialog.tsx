import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { ApiEvents, ApiResponses, CatalogueModelInfo } from '../../../electron/contract/api.js';
import { api, errorMessage } from '../api/api.js';
import { useStore } from '../state/store.js';
import { formatBytes } from '../../../electron/shared/format.js';
import { pullState } from './pullStatus.js';
import { MemoryEstimate } from '../generate/MemoryEstimate.js';
import './models.css';

type Library = ApiResponses['models:library'];
const PROVIDERS: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML', webgpu: 'WebGPU' };
const providerName = (p: string) => PROVIDERS[p] ?? p;

/** The picker's lists change after a pull or an import: reload them so the new model can be chosen at once. */
async function refreshPicker(): Promise<void> {
  const { models, defaultModelId, controlNets } = await api.listModels();
  const s = useStore.getState();
  s.setGenerate({ models, modelId: s.modelId && models.some((m) => m.id === s.modelId) ? s.modelId : defaultModelId ?? '' });
  s.setControlNets(controlNets); // a pulled ControlNet is offered by the Control section at once
}

function CatalogueRow({ entry, progress, onChanged, report }: {
  entry: CatalogueModelInfo; progress?: ApiEvents['models:progress']; onChanged(): void; report(m: string | null): void;
}) {
  const state = pullState(entry, progress);
  const act = (f: () => Promise<unknown>) => () => {
    report(null);
    f().then(onChanged, (e) => report(errorMessage(e)));
  };
  return (
    <li className="model-row" aria-label={entry.label}>
      <div className="model-meta">
        <span className="model-label">{entry.label}</span>
        <span className="sub">
          {entry.family} · {formatBytes(entry.approxBytes)} · licence {entry.licence}{entry.nonCommercial ? ' (non-commercial)' : ''} · <a href={entry.page} target="_blank" rel="noreferrer">page</a>
        </span>
        {state.kind === 'downloading' && (
          <>
            <div className="bar" role="progressbar" aria-label={`Downloading ${entry.label}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={state.percent}>
              <div className="fill" style={{ width: `${state.percent}%` }} />
            </div>
            <span className="sub pull-line">{state.line}</span>
          </>
        )}
        {state.kind === 'paused' && <span className="sub pull-line">{state.line}</span>}
        {state.kind === 'installed' && <span className="sub installed">Installed as “{state.modelId}”</span>}
      </div>
      <div className="model-actions">
        {state.kind === 'available' && <button type="button" onClick={act(() => api.pullModel(entry.id))}>Download</button>}
        {state.kind === 'paused' && <button type="button" onClick={act(() => api.pullModel(entry.id))}>Resume</button>}
        {state.kind === 'downloading' && <button type="button" onClick={act(() => api.pauseModelPull(state.jobId))}>Pause</button>}
        {(state.kind === 'downloading' || state.kind === 'paused') && (
          <button type="button" className="danger" onClick={act(() => api.discardModelPull(entry.id))}>Cancel</button>
        )}
      </div>
    </li>
  );
}

/** Installed models, the catalogue (pull with progress, pause/resume, cancel), folder import, and the engine's provider. */
export function ModelsDialog({ onClose }: { onClose(): void }) {
  const [lib, setLib] = useState<Library | null>(null);
  const [progress, setProgress] = useState<Record<string, ApiEvents['models:progress']>>({});
  const [message, setMessage] = useState<{ notice?: string; error?: string }>({});
  const [folder, setFolder] = useState('');
  const frame = useStore((s) => s.undoHistory.doc.generationFrame);
  const closeRef = useRef<HTMLButtonElement>(null);

  const reload = useCallback(() => {
    api.modelLibrary().then(setLib, (e) => setMessage({ error: errorMessage(e) }));
  }, []);
  const report = useCallback((error: string | null) => setMessage(error ? { error } : {}), []);

  useEffect(() => {
    reload();
    closeRef.current?.focus();
    const drop = (catalogId: string) => setProgress((p) => {
      const { [catalogId]: _gone, ...rest } = p;
      return rest;
    });
    const offs = [
      api.onModelProgress((e) => setProgress((p) => ({ ...p, [e.catalogId]: e }))),
      api.onModelDone((e) => {
        drop(e.catalogId);
        setMessage({ notice: `Downloaded ${e.catalogId}${e.modelId ? ` — pick “${e.modelId}” in the Model list` : ''}.` });
        reload();
        void refreshPicker();
      }),
      api.onModelFailed((e) => {
        drop(e.catalogId);
        setMessage(e.code === 'cancelled' ? { notice: `Stopped ${e.catalogId}; what was downloaded is kept until you resume or cancel.` } : { error: `${e.catalogId}: ${e.message}` });
        reload();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [reload]);

  const importFolder = (e: FormEvent) => {
    e.preventDefault();
    setMessage({});
    api.importModelFolder(api.transport === 'serve' ? folder.trim() : undefined).then(
      (r) => {
        if (!r.id) return;
        setMessage({ notice: r.alreadyListed ? `“${r.id}” is already in the list.` : `Imported “${r.id}”.` });
        setFolder('');
        reload();
        void refreshPicker();
      },
      (err) => setMessage({ error: errorMessage(err) }),
    );
  };

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div role="dialog" aria-label="Models" aria-modal="true" className="modal models-dialog" onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
        <div className="models-head">
          <h2>Models</h2>
          <span className="provider" aria-label="Execution provider">
            {lib ? (lib.provider.lastUsed ? `Engine runs on ${providerName(lib.provider.lastUsed)}` : 'Engine provider: known after the first generation')
              + ` · tries ${lib.provider.tries.map(providerName).join(', then ')}` : ''}
          </span>
        </div>
        {message.error && <p className="error" role="alert">{message.error}</p>}
        {!message.error && message.notice && <p className="models-notice" role="status">{message.notice}</p>}
        {!lib ? <p className="sub">Loading…</p> : (
          <div className="models-body">
            <section aria-label="Installed">
              <h3>Installed</h3>
              <ul className="model-list" aria-label="Installed models">
                {lib.installed.map((m) => (
                  <li key={m.id} className="model-row" aria-label={m.id}>
                    <div className="model-meta">
                      <span className="model-label">{m.label}{m.label !== m.id && <span className="sub"> · {m.id}</span>}</span>
                      <span className="sub">{m.family} · {m.origin}{m.catalogId ? ` from ${m.catalogId}` : ''}</span>
                      {m.problem && <span className="sub problem">{m.problem}</span>}
                      {!m.problem && <MemoryEstimate modelId={m.id} width={frame.width} height={frame.height} compact />}
                    </div>
                  </li>
                ))}
              </ul>
              <form className="import-row" onSubmit={importFolder}>
                {api.transport === 'serve' && (
                  <input aria-label="Model folder path" placeholder="/path/to/model-folder" value={folder} onChange={(e) => setFolder(e.target.value)} />
                )}
                <button type="submit" disabled={api.transport === 'serve' && !folder.trim()}>{api.transport === 'serve' ? 'Import folder' : 'Import folder…'}</button>
              </form>
            </section>
            <section aria-label="Catalogue">
              <h3>Catalogue <span className="sub">→ {lib.pullDir}</span></h3>
              {lib.catalogueProblem && <p className="error">{lib.catalogueProblem}</p>}
              <ul className="model-list" aria-label="Catalogue models">
                {lib.catalogue.map((c) => <CatalogueRow key={c.id} entry={c} progress={progress[c.id]} onChanged={reload} report={report} />)}
              </ul>
            </section>
          </div>
        )}
        <div className="modal-actions">
          <button ref={closeRef} type="button" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}

/** The top bar's "Models" button and its dialog (self-contained, so App mounts it with one line). */
export function ModelsButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>Models</button>
      {open && <ModelsDialog onClose={() => setOpen(false)} />}
    </>
  );
}
