import { create } from 'zustand';
import { createDocumentSlice, type DocumentSlice } from './documentSlice.js';
import { createGenerateSlice, type GenerateSlice } from './generateSlice.js';
import { createHistorySlice, type HistorySlice } from './historySlice.js';
import { createViewSlice, type ViewSlice } from './viewSlice.js';

/** The renderer's one store, in typed slices. Read with selectors (useShallow for objects/arrays). */
export type Store = DocumentSlice & ViewSlice & GenerateSlice & HistorySlice;

export const useStore = create<Store>()((...a) => ({
  ...createDocumentSlice(...a),
  ...createViewSlice(...a),
  ...createGenerateSlice(...a),
  ...createHistorySlice(...a),
}));

/** The document as it is now (outside React: tools, flows). */
export const currentDoc = () => useStore.getState().history.doc;
