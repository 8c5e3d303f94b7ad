import { create } from 'zustand';
import { createDocumentSlice, type DocumentSlice } from './documentSlice.js';
import { createGenerateSlice, type GenerateSlice } from './generateSlice.js';
import { createPromptHistorySlice, type PromptHistorySlice } from './promptHistorySlice.js';
import { createViewSlice, type ViewSlice } from './viewSlice.js';
import { createLiveSlice, type LiveSlice } from '../live/liveSlice.js';
import { createStagingSlice, type StagingSlice } from '../batch/stagingSlice.js';
import { createControlSlice, type ControlSlice } from '../control/controlSlice.js';

/** The renderer's one store, in typed slices. Read with selectors (useShallow for objects/arrays). */
export type Store = DocumentSlice & ViewSlice & GenerateSlice & PromptHistorySlice & LiveSlice & StagingSlice & ControlSlice;

export const useStore = create<Store>()((...a) => ({
  ...createDocumentSlice(...a),
  ...createViewSlice(...a),
  ...createGenerateSlice(...a),
  ...createPromptHistorySlice(...a),
  ...createLiveSlice(...a),
  ...createStagingSlice(...a),
  ...createControlSlice(...a),
}));
