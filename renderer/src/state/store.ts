import { create } from 'zustand';
import { createDocumentSlice, type DocumentSlice } from './documentSlice.js';
import { createGenerateSlice, type GenerateSlice } from './generateSlice.js';
import { createHistorySlice, type HistorySlice } from './historySlice.js';
import { createViewSlice, type ViewSlice } from './viewSlice.js';
import { createLiveSlice, type LiveSlice } from '../live/liveSlice.js';

/** The renderer's one store, in typed slices. Read with selectors (useShallow for objects/arrays). */
export type Store = DocumentSlice & ViewSlice & GenerateSlice & HistorySlice & LiveSlice;

export const useStore = create<Store>()((...a) => ({
  ...createDocumentSlice(...a),
  ...createViewSlice(...a),
  ...createGenerateSlice(...a),
  ...createHistorySlice(...a),
  ...createLiveSlice(...a),
}));

/** The document as it is now (outside React: tools, flows). */
export const currentDoc = () => useStore.getState().history.doc;
