import type { AtelierDocument } from '../../../electron/contract/document.js';
import type { PaintSurface } from '../document/paintSurface.js';
import { paintSurface } from '../state/paintSurfaceRegistry.js';
import { useStore, type Store } from '../state/store.js';
import { strokePainter, type StrokePainter } from './paint/strokePainter.js';

/**
 * What a tool works on, handed to every state handler (tldraw's `editor`): tools never reach for the store,
 * the mask bitmap or the stroke painter themselves, so a test editor can give them its own.
 */
export interface Editor {
  /** The store's state and actions as they are now (read again on every access: actions run in between). */
  readonly store: Store;
  /** The open document. */
  readonly doc: AtelierDocument;
  /** The mask bitmap the Brush and Eraser stamp into. */
  readonly mask: PaintSurface;
  /** Where the Paint tool's colour strokes go. */
  readonly painter: StrokePainter;
}

export interface EditorSources {
  store(): Store;
  mask(): PaintSurface;
  painter(): StrokePainter;
}

export function createEditor(sources: EditorSources): Editor {
  return {
    get store() {
      return sources.store();
    },
    get doc() {
      return sources.store().undoHistory.doc;
    },
    get mask() {
      return sources.mask();
    },
    get painter() {
      return sources.painter();
    },
  };
}

/** The app's editor: the one store, the installed mask bitmap and canvas stroke painter (main.tsx installs them). */
export const appEditor: Editor = createEditor({ store: () => useStore.getState(), mask: paintSurface, painter: strokePainter });
