/** Stroke icons for the history row actions (inline SVG, like app/icons.tsx; nothing to load). */
const paths = {
  rerun: 'M20 12a8 8 0 11-2.3-5.6M20 4v4.5h-4.5',
  settings: 'M4 7h10M18 7h2M4 17h4M12 17h8M14 5v4M8 15v4',
  init: 'M4 5h16v14H4zM4 15l5-5 4 4 3-3 4 4M12 2v6M9.5 5.5L12 8l2.5-2.5',
  add: 'M12 5v14M5 12h14',
  star: 'M12 3.5l2.6 5.3 5.8.8-4.2 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.2-4.1 5.8-.8z',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
} as const;

export type HistoryIconName = keyof typeof paths;

export function HistoryIcon({ name, filled = false }: { name: HistoryIconName; filled?: boolean }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="15" height="15" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="1.8"
      strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={paths[name]} />
    </svg>
  );
}
