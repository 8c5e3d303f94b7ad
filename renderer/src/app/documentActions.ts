import { api, errorMessage } from '../api/api.js';
import { createDocument } from '../document/newDocument.js';
import type { ExportFormat } from '../../../electron/contract/api.js';
import { useStore } from '../state/store.js';
import { recoveryAnswered } from './recovery.js';
import { useImportJob } from './importJob.js';

/** File actions shared by the toolbar, menus and shortcuts. Errors become one line in the status/error area. */

function fail(e: unknown): void {
  useStore.getState().setGenerate({ error: errorMessage(e) });
}

export function newDocument(): void {
  // A new document starts with the frame at the chosen model's size (the demo model draws 128 px).
  const s = useStore.getState();
  const r = s.models.find((m) => m.id === s.modelId)?.recommended;
  const doc = createDocument();
  if (r?.width && r.height) doc.generationFrame = { ...doc.generationFrame, width: r.width, height: r.height };
  s.loadDocument(doc, null);
  useStore.getState().zoomToFit();
  void api.recoverDocument(true).catch(() => undefined);
}

export async function saveDocument(name: string): Promise<boolean> {
  const s = useStore.getState();
  const doc = { ...s.undoHistory.doc, name };
  try {
    await api.saveDocument(name, doc);
    s.markSaved(name);
    s.setGenerate({ notice: `Saved "${name}"`, error: null });
    return true;
  } catch (e) {
    fail(e);
    return false;
  }
}

export async function openDocument(name: string): Promise<void> {
  try {
    const { document } = await api.openDocument(name);
    useStore.getState().loadDocument(document, name);
    useStore.getState().zoomToFit();
    useStore.getState().setGenerate({ notice: `Opened "${name}"`, error: null });
  } catch (e) {
    fail(e);
  }
}

let importCount = 0;

/**
 * Opens a file from disk (.atelier, .psd, .ora or an image) as a new document. The core reads it in its
 * document worker; `useImportJob` shows its progress, and its Cancel ends the import there (the open
 * document stays as it was).
 */
export async function importDocumentFile(file: File): Promise<void> {
  const abort = new AbortController();
  const jobId = `import-${Date.now().toString(36)}-${++importCount}`;
  useImportJob.setState({ job: { fileName: file.name, progress: null, abort } });
  const off = api.onImportProgress((p) => {
    const job = useImportJob.getState().job;
    if (p.jobId === jobId && job?.abort === abort) useImportJob.setState({ job: { ...job, progress: { done: p.done, total: p.total } } });
  });
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const { document, warnings } = await api.withSignal(abort.signal).importDocument(file.name, bytes, jobId);
    useStore.getState().loadDocument(document, null);
    useStore.getState().zoomToFit();
    useStore.getState().setGenerate({ notice: warnings.length ? `Opened "${file.name}". ${warnings.join(' ')}` : `Opened "${file.name}"`, error: null });
  } catch (e) {
    if (abort.signal.aborted) useStore.getState().setGenerate({ notice: `Opening "${file.name}" was cancelled; the document was not changed.`, error: null });
    else fail(e);
  } finally {
    off();
    if (useImportJob.getState().job?.abort === abort) useImportJob.setState({ job: null });
  }
}

let exportCount = 0;

/**
 * Export through the core's writers (layered PSD/ORA, flat PNG/JPEG/WebP with metadata); serve downloads the file.
 * The core writes in its document worker: `onProgress` hears its steps, aborting `signal` cancels it there.
 */
export async function exportDocument(format: ExportFormat, frameOnly: boolean, watch: { signal?: AbortSignal; onProgress?(done: number, total: number): void } = {}): Promise<boolean> {
  const s = useStore.getState();
  const doc = s.undoHistory.doc;
  const name = (s.savedName ?? doc.name ?? 'Untitled').replace(/[\\/:*?"<>|]+/g, '_').replace(/^\.+/, '') || 'export';
  const jobId = `export-${Date.now().toString(36)}-${++exportCount}`;
  const off = api.onExportProgress((p) => p.jobId === jobId && watch.onProgress?.(p.done, p.total));
  try {
    const r = await (watch.signal ? api.withSignal(watch.signal) : api).exportDocument({ name, format, document: { ...doc, name }, frameOnly, jobId });
    if (!r.path) return false;
    if (r.downloadUrl) {
      const a = document.createElement('a');
      a.href = r.downloadUrl;
      a.download = `${name}.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
    }
    s.setGenerate({ notice: r.downloadUrl ? `Exported ${name}.${format} (${Math.round(r.bytes / 1024)} KB)` : `Exported to ${r.path}`, error: null });
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'cancelled') s.setGenerate({ notice: 'Export cancelled; no file was written.', error: null });
    else fail(e);
    return false;
  } finally {
    off();
  }
}

/**
 * Autosave every few seconds while there are unsaved changes — but never before the user answered the
 * start-up recovery offer: until then the file on disk is the only copy of the last session's work.
 */
export function startAutosave(intervalMs = 4000): () => void {
  let lastAutosaved = useStore.getState().version;
  const timer = setInterval(() => {
    const s = useStore.getState();
    if (!recoveryAnswered() || s.version === s.savedVersion || s.version === lastAutosaved) return;
    lastAutosaved = s.version;
    void api.autosaveDocument(s.undoHistory.doc).catch(() => undefined);
  }, intervalMs);
  return () => clearInterval(timer);
}
