import type { StateCreator } from 'zustand';
import type { HistoryEntry } from '../../../electron/contract/api.js';
import { api, errorMessage } from '../api/api.js';
import { EMPTY_FILTER, listRequest, type HistoryFilterControls } from '../history/historyQuery.js';
import type { Store } from './store.js';

/** The History panel's list of past generations (prompt history), paged from the store; not the undo stack (DocumentSlice.undoHistory). */
export interface PromptHistorySlice {
  historyEntries: HistoryEntry[];
  historyCursor: string | undefined;
  historyTotal: number;
  historyLoading: boolean;
  /** The History panel's search, filters and scope (this document / all). */
  historyFilter: HistoryFilterControls;
  /** Merges into the filter and reloads the first page. */
  setHistoryFilter(p: Partial<HistoryFilterControls>): void;
  /** Reloads the first page for the open document. */
  refreshHistory(): Promise<void>;
  /** Next page; `limit` up to 500 lets a long scroll catch up in fewer requests. */
  loadMoreHistory(limit?: number): Promise<void>;
}

/** Bumped by every refresh, so an answer to an older filter or document is dropped. */
let listGeneration = 0;

const PAGE = 100;

export const createPromptHistorySlice: StateCreator<Store, [], [], PromptHistorySlice> = (set, get) => ({
  historyEntries: [],
  historyCursor: undefined,
  historyTotal: 0,
  historyLoading: false,
  historyFilter: EMPTY_FILTER,
  setHistoryFilter(p) {
    set((s) => ({ historyFilter: { ...s.historyFilter, ...p } }));
    void get().refreshHistory();
  },
  async refreshHistory() {
    const documentId = get().undoHistory.doc.id;
    const generation = ++listGeneration;
    set({ historyLoading: true });
    try {
      const page = await api.listHistory({ ...listRequest(get().historyFilter, documentId), limit: PAGE });
      if (get().undoHistory.doc.id !== documentId || generation !== listGeneration) return;
      set({ historyEntries: page.entries, historyCursor: page.nextCursor, historyTotal: page.total });
    } catch (e) {
      set({ error: errorMessage(e) });
    } finally {
      set({ historyLoading: false });
    }
  },
  async loadMoreHistory(limit = PAGE) {
    const { historyCursor: cursor, historyLoading } = get();
    if (!cursor || historyLoading) return;
    const documentId = get().undoHistory.doc.id;
    const generation = listGeneration;
    set({ historyLoading: true });
    try {
      const page = await api.listHistory({ ...listRequest(get().historyFilter, documentId), cursor, limit: Math.min(500, Math.max(1, limit)) });
      if (generation !== listGeneration) return;
      set((s) => ({ historyEntries: [...s.historyEntries, ...page.entries], historyCursor: page.nextCursor, historyTotal: page.total }));
    } finally {
      set({ historyLoading: false });
    }
  },
});
