import type { AppNotice } from '../../contract/channels/notices.js';

/**
 * The notices a host keeps for the user until dismissed (contract/channels/notices.ts): whatever the
 * history, the settings or the document library report at start, and anything later (sent as an event).
 * One board per host, so Electron main and serve deliver the same notices the same way.
 */
export class NoticeBoard {
  private readonly notices: AppNotice[] = [];
  private next = 1;

  constructor(private readonly onAdded: (notice: AppNotice) => void = () => undefined) {}

  /** Adds a notice (the same text twice is one notice) and tells the listeners. */
  add(message: string): AppNotice {
    const same = this.notices.find((n) => n.message === message);
    if (same) return same;
    const notice = { id: `notice-${this.next++}`, message };
    this.notices.push(notice);
    this.onAdded(notice);
    return notice;
  }

  list(): AppNotice[] {
    return [...this.notices];
  }

  dismiss(id: string): boolean {
    const i = this.notices.findIndex((n) => n.id === id);
    if (i < 0) return false;
    this.notices.splice(i, 1);
    return true;
  }
}
