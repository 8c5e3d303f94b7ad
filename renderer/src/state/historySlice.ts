import type { StateCreator } from 'zustand';
import type { HistoryEntry } from '../../../electron/contract/api.js';
import { api, errorMessage } from '../api/api.js';
import type { Store } from './store.js';

export interface HistorySlice {
  historyEntries: HistoryEntry[];
  historyCursor: string | undefined;
  historyTotal: number;
  historyLoading: boolean;
  /** Reloads the first page for the open document. */
  refreshHistory(): Promise<void>;
  loadMoreHistory(): Promise<void>;
}

const PAGE = 100;

export const createHistorySlice: StateCreator<Store, [], [], HistorySlice> = (set, get) => ({
  historyEntries: [],
  historyCursor: undefined,
  historyTotal: 0,
  historyLoading: false,
  async refreshHistory() {
    const documentId = get().history.doc.id;
    set({ historyLoading: true });
    try {
      const page = await api.listHistory({ documentId, limit: PAGE });
      if (get().history.doc.id !== documentId) return;
      set({ historyEntries: page.entries, historyCursor: page.nextCursor, historyTotal: page.total });
    } catch (e) {
      set({ error: errorMessage(e) });
    } finally {
      set({ historyLoading: false });
    }
  },
  async loadMoreHistory() {
    const { historyCursor: cursor, historyLoading } = get();
    if (!cursor || historyLoading) return;
    const documentId = get().history.doc.id;
    set({ historyLoading: true });
    try {
      const page = await api.listHistory({ documentId, cursor, limit: PAGE });
      set((s) => ({ historyEntries: [...s.historyEntries, ...page.entries], historyCursor: page.nextCursor, historyTotal: page.total }));
    } finally {
      set({ historyLoading: false });
    }
  },
});
