import { create } from 'zustand';
import type { AtelierDocument } from '../../../electron/contract/document.js';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';

/**
 * Crash recovery at start-up: the autosave a session left behind is offered (Restore / Discard) and
 * nothing writes over it until the user has answered — autosave waits for `answered`.
 * phase: checking (asking the core) → offered (dialog open) → answered (restored, discarded or none).
 */
export const useRecovery = create<{ phase: 'checking' | 'offered' | 'answered'; document: AtelierDocument | null }>(() => ({ phase: 'checking', document: null }));

export function recoveryAnswered(): boolean {
  return useRecovery.getState().phase === 'answered';
}

export async function checkRecovery(): Promise<void> {
  try {
    const { document } = await api.recoverDocument(false);
    if (document && (document.layers.length > 0 || document.name)) {
      useRecovery.setState({ phase: 'offered', document });
      return;
    }
  } catch {
    /* a damaged autosave is not worth an error on start; it is kept, not overwritten, until an answer */
  }
  useRecovery.setState({ phase: 'answered', document: null });
}

export function restoreRecovered(): void {
  const { document } = useRecovery.getState();
  if (document) {
    useStore.getState().loadDocument(document, null);
    // Recovered work is unsaved work: keep it marked dirty (and so autosaved again).
    useStore.setState((s) => ({ savedVersion: s.version - 1 }));
    useStore.getState().zoomToFit();
    useStore.getState().setGenerate({ notice: 'Recovered unsaved work from the last session.' });
  }
  useRecovery.setState({ phase: 'answered', document: null });
}

export async function discardRecovered(): Promise<void> {
  await api.recoverDocument(true).catch(() => undefined);
  useRecovery.setState({ phase: 'answered', document: null });
}
