import type { ApiEvents, CatalogueModelInfo } from '../../../electron/contract/api.js';
import { formatBytes } from '../../../electron/shared/format.js';

/**
 * What the Models dialog says about one catalogue entry: the words and numbers of a pull in progress
 * (percent, speed, time left) or at rest (installed, paused with bytes kept, not pulled). Pure.
 */

export function formatSpeed(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '—';
}

/** "42 s", "3 min 5 s", "2 h 10 min"; '—' when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Whole percent, never 100 before the bytes are all there. */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 0;
  const p = Math.floor((done / total) * 100);
  return Math.max(0, Math.min(done >= total ? 100 : 99, p));
}

export type PullState =
  | { kind: 'installed'; modelId: string }
  | { kind: 'downloading'; jobId: string; percent: number; line: string }
  | { kind: 'paused'; line: string }
  | { kind: 'available'; line: string };

const PHASES: Record<ApiEvents['models:progress']['phase'], string> = {
  checking: 'Checking files',
  downloading: 'Downloading',
  placing: 'Installing',
  done: 'Installed',
};

export function pullState(entry: CatalogueModelInfo, progress?: ApiEvents['models:progress']): PullState {
  const jobId = progress?.jobId ?? entry.downloadingJobId;
  if (jobId && (!entry.installedId || progress)) {
    if (!progress) return { kind: 'downloading', jobId, percent: 0, line: 'Starting…' };
    const percent = percentOf(progress.doneBytes, progress.totalBytes);
    const line = progress.phase === 'downloading'
      ? `${percent}% · ${formatBytes(progress.doneBytes)} of ${formatBytes(progress.totalBytes)} · ${formatSpeed(progress.bytesPerSecond)} · ${formatEta(progress.etaSeconds)} left`
      : `${PHASES[progress.phase]} · ${percent}%`;
    return { kind: 'downloading', jobId, percent, line };
  }
  if (entry.installedId) return { kind: 'installed', modelId: entry.installedId };
  if (entry.partialBytes > 0) {
    return { kind: 'paused', line: `Paused · ${formatBytes(entry.partialBytes)} of ${formatBytes(entry.approxBytes)} kept (${percentOf(entry.partialBytes, entry.approxBytes)}%)` };
  }
  return { kind: 'available', line: formatBytes(entry.approxBytes) };
}
