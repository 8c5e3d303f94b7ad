import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api, errorMessage } from '../api/api.js';
import { CanvasView } from '../canvas/CanvasView.js';
import { isTyping } from '../canvas/useToolInput.js';
import { generate, installJobListeners } from '../generate/generateFlow.js';
import { ProgressBar } from '../generate/ProgressBar.js';
import { PromptPanel } from '../generate/PromptPanel.js';
import { HistoryPanel } from '../history/HistoryPanel.js';
import { LayersPanel } from '../layers/LayersPanel.js';
import { installUpscaleListeners } from '../layers/upscaleFlow.js';
import { ModelsButton } from '../models/ModelsDialog.js';
import { useStore } from '../state/store.js';
import { BRUSH_STEP } from '../state/viewSlice.js';
import { newDocument, saveDocument, startAutosave } from './documentActions.js';
import { checkRecovery, useRecovery } from './recovery.js';
import { guardUnsaved, installUnloadGuard } from './unsavedGuard.js';
import { RecoveryDialog, UnsavedChangesDialog } from './WorkGuardDialogs.js';
import { applyModelDefaults } from '../generate/modelDefaults.js';
import { ExportDialog, ImportProgressDialog, OpenDialog, SaveDialog } from './DocumentDialogs.js';
import { NoticeBanner } from './NoticeBanner.js';
import { Toolbar, TOOL_KEYS, ZoomControls } from './Toolbar.js';
import { LivePanel } from '../live/LivePanel.js';
import { BatchChooser } from '../batch/BatchChooser.js';
import { installLiveListeners } from '../live/liveController.js';

type Dialog = null | 'save' | 'open' | 'export';

function TopBar({ onDialog }: { onDialog(d: Dialog): void }) {
  const { canUndo, canRedo, name, title, dirty, undoLabel, redoLabel } = useStore(useShallow((s) => ({
    canUndo: s.undoHistory.past.length > 0, canRedo: s.undoHistory.future.length > 0, name: s.savedName, title: s.savedName ?? s.undoHistory.doc.name, dirty: s.version !== s.savedVersion,
    undoLabel: s.undoHistory.past[s.undoHistory.past.length - 1]?.label, redoLabel: s.undoHistory.future[0]?.label,
  })));
  const s = useStore.getState();
  return (
    <header className="topbar">
      <div className="brand">Atelier</div>
      <nav className="file-actions" aria-label="Document">
        <button type="button" onClick={() => guardUnsaved(newDocument)}>New</button>
        <button type="button" onClick={() => guardUnsaved(() => onDialog('open'))}>Open</button>
        <button type="button" onClick={() => (name ? void saveDocument(name) : onDialog('save'))}>Save</button>
        <button type="button" onClick={() => onDialog('save')}>Save As</button>
        <button type="button" onClick={() => onDialog('export')}>Export</button>
      </nav>
      <div className="doc-title" title="Document">{title || 'Untitled'}{dirty ? ' •' : ''}</div>
      <ModelsButton />
      <nav className="history-actions" aria-label="Edit">
        <button type="button" disabled={!canUndo} onClick={() => s.undo()} title={undoLabel ? `Undo ${undoLabel}` : 'Undo'}>Undo</button>
        <button type="button" disabled={!canRedo} onClick={() => s.redo()} title={redoLabel ? `Redo ${redoLabel}` : 'Redo'}>Redo</button>
      </nav>
    </header>
  );
}

/** Global shortcuts: undo/redo, save, generate, tool keys. Typing in a field keeps its own keys. */
function useShortcuts(onDialog: (d: Dialog) => void): void {
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const s = useStore.getState();
      if (mod && e.key.toLowerCase() === 'z' && !isTyping(e)) {
        e.preventDefault();
        if (e.shiftKey) s.redo();
        else s.undo();
      } else if (mod && e.key.toLowerCase() === 'y' && !isTyping(e)) {
        e.preventDefault();
        s.redo();
      } else if (mod && e.key.toLowerCase() === 's') {
        e.preventDefault();
        if (s.savedName && !e.shiftKey) void saveDocument(s.savedName);
        else onDialog('save');
      } else if (mod && e.key === 'Enter') {
        e.preventDefault();
        void generate();
      } else if (!mod && !isTyping(e) && (e.key === '[' || e.key === ']')) {
        const size = Math.round(e.key === ']' ? Math.max(s.brushSize + 1, s.brushSize * BRUSH_STEP) : Math.min(s.brushSize - 1, s.brushSize / BRUSH_STEP));
        s.setBrush({ brushSize: Math.min(512, Math.max(1, size)) });
      } else if (!mod && !e.altKey && !isTyping(e) && TOOL_KEYS[e.key.toLowerCase()]) {
        s.setTool(TOOL_KEYS[e.key.toLowerCase()]);
      } else if (!isTyping(e) && (e.key === 'Delete' || e.key === 'Backspace') && s.selectedLayerId) {
        s.perform({ type: 'removeLayer', id: s.selectedLayerId }, 'Delete layer');
        s.selectLayer(null);
      }
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [onDialog]);
}

export function App() {
  const [dialog, setDialog] = useState<Dialog>(null);
  const savedName = useStore((s) => s.savedName);
  const recoveryPhase = useRecovery((s) => s.phase);
  useShortcuts(setDialog);

  useEffect(() => {
    const off = installJobListeners();
    const offLive = installLiveListeners();
    const offUpscale = installUpscaleListeners();
    const stopAutosave = startAutosave();
    api.listModels().then(
      ({ models, defaultModelId }) => {
        const chosen = useStore.getState().modelId;
        useStore.getState().setGenerate({ models, modelId: chosen || defaultModelId || '' });
        // The default model's own settings, and its size for the still-empty first document.
        // Start-up, not a user edit: no undo step, not dirty (applyModelDefaults 'startup').
        if (!chosen && defaultModelId) applyModelDefaults(defaultModelId, { frame: 'startup' });
      },
      (e) => useStore.getState().setGenerate({ error: errorMessage(e) }),
    );
    void checkRecovery();
    const offUnload = installUnloadGuard();
    return () => {
      offUnload();
      off();
      offLive();
      offUpscale();
      stopAutosave();
    };
  }, []);

  return (
    <div className="app" data-recovery={recoveryPhase}>
      <TopBar onDialog={setDialog} />
      <NoticeBanner />
      <aside className="left">
        <PromptPanel />
        <LivePanel />
      </aside>
      <main className="center">
        <Toolbar />
        <CanvasView />
        <BatchChooser />
        <div className="statusbar">
          <ProgressBar />
          <ZoomControls />
        </div>
      </main>
      <aside className="right">
        <LayersPanel />
        <HistoryPanel />
      </aside>
      {dialog === 'save' && <SaveDialog initial={savedName ?? (useStore.getState().undoHistory.doc.name || 'Untitled')} onClose={() => setDialog(null)} />}
      {dialog === 'open' && <OpenDialog onClose={() => setDialog(null)} />}
      {dialog === 'export' && <ExportDialog onClose={() => setDialog(null)} />}
      <ImportProgressDialog />
      <UnsavedChangesDialog />
      <RecoveryDialog />
    </div>
  );
}
