/**
 * Numbers for people, shared by the renderer, the CLI and core messages. Pure: no Node, no DOM.
 */

/**
 * A byte count in binary multiples. 'compact' for the app ("1.5 KB", "12 MB"); 'precise' for the CLI
 * and one-line messages ("1.50 KiB", "200.0 MiB"). Anything not a finite count reads '—'.
 */
export function formatBytes(n: number, style: 'compact' | 'precise' = 'compact'): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const precise = style === 'precise';
  if (n < 1024) return `${precise ? n : Math.round(n)} B`;
  const units = precise ? ['KiB', 'MiB', 'GiB', 'TiB'] : ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return precise ? `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
