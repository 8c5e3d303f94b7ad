import { useEffect, useState } from 'react';
import type { AppNotice } from '../../../electron/contract/api.js';
import { api } from '../api/api.js';

/**
 * The core's notices (damaged history moved aside, a rebuilt index, jobs interrupted last time, unreadable
 * settings): listed once at start, later ones by event; each shown once until the user dismisses it,
 * which dismisses it in the host too, so a reload or a second window does not show it again.
 */
export function NoticeBanner() {
  const [notices, setNotices] = useState<AppNotice[]>([]);
  useEffect(() => {
    const add = (incoming: AppNotice[]) => setNotices((shown) => [...shown, ...incoming.filter((n) => !shown.some((s) => s.id === n.id))]);
    const off = api.onNotice((n) => add([n]));
    api.listNotices().then(({ notices: listed }) => add(listed), () => undefined);
    return off;
  }, []);
  if (notices.length === 0) return null;
  const dismiss = (id: string) => {
    setNotices((shown) => shown.filter((n) => n.id !== id));
    void api.dismissNotice(id).catch(() => undefined);
  };
  return (
    <div className="notices" role="region" aria-label="Notices">
      {notices.map((n) => (
        <div key={n.id} className="notice" role="status">
          <span>{n.message}</span>
          <button type="button" onClick={() => dismiss(n.id)} aria-label="Dismiss notice">Dismiss</button>
        </div>
      ))}
    </div>
  );
}
