import { create } from 'zustand';
import { useStore } from '../state/store.js';

/**
 * Unsaved-changes guard for New and Open: with changes since the last save, the action waits for the
 * user's answer in the "Unsaved changes" dialog (Save / Don't save / Cancel); Cancel keeps everything.
 */
export const useUnsavedGuard = create<{ pending: (() => void) | null }>(() => ({ pending: null }));

export function hasUnsavedChanges(): boolean {
  const s = useStore.getState();
  return s.version !== s.savedVersion;
}

/** Runs `action` now when nothing is unsaved, else after the user chose Save or Don't save. */
export function guardUnsaved(action: () => void): void {
  if (!hasUnsavedChanges()) return action();
  useUnsavedGuard.setState({ pending: action });
}

/** beforeunload in the browser build (and, through will-prevent-unload, Electron's close and quit). */
export function installUnloadGuard(): () => void {
  const onBeforeUnload = (e: BeforeUnloadEvent): void => {
    if (!hasUnsavedChanges()) return;
    e.preventDefault();
    // Older engines show the prompt only when returnValue is set.
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  return () => window.removeEventListener('beforeunload', onBeforeUnload);
}
