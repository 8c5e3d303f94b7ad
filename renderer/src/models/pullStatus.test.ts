import { describe, expect, it } from 'vitest';
import type { ApiEvents, CatalogueModelInfo } from '../../../electron/contract/api.js';
import { formatBytes } from '../../../electron/shared/format.js';
import { formatEta, formatSpeed, percentOf, pullState } from './pullStatus.js';

const entry: CatalogueModelInfo = {
  id: 'sd-turbo', label: 'SD Turbo', family: 'sd2', kind: 'pipeline', licence: 'other', nonCommercial: true, page: 'https://x', notes: [],
  approxBytes: 2_000_000_000, partialBytes: 0,
};
const progress = (p: Partial<ApiEvents['models:progress']>): ApiEvents['models:progress'] => ({
  jobId: 'j1', catalogId: 'sd-turbo', phase: 'downloading', fileIndex: 1, fileCount: 4, doneBytes: 500_000_000, totalBytes: 2_000_000_000,
  bytesPerSecond: 12 * 1024 * 1024, etaSeconds: 125, ...p,
});

describe('Models dialog wording', () => {
  it('formats sizes, speeds and times left', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(2_000_000_000)).toBe('1.9 GB');
    expect(formatSpeed(0)).toBe('—');
    expect(formatSpeed(12 * 1024 * 1024)).toBe('12 MB/s');
    expect(formatEta(null)).toBe('—');
    expect(formatEta(41.2)).toBe('42 s');
    expect(formatEta(185)).toBe('3 min 5 s');
    expect(formatEta(7800)).toBe('2 h 10 min');
  });

  it('percent is whole, clamped, and reaches 100 only when every byte is there', () => {
    expect(percentOf(0, 0)).toBe(0);
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(999_999, 1_000_000)).toBe(99);
    expect(percentOf(1_000_000, 1_000_000)).toBe(100);
    expect(percentOf(2, 1)).toBe(100);
  });

  it('a running pull shows percent, bytes, speed and time left; other phases name themselves', () => {
    expect(pullState(entry, progress({}))).toEqual({ kind: 'downloading', jobId: 'j1', percent: 25, line: '25% · 477 MB of 1.9 GB · 12 MB/s · 2 min 5 s left' });
    expect(pullState(entry, progress({ phase: 'checking', doneBytes: 0 }))).toMatchObject({ line: 'Checking files · 0%' });
    expect(pullState({ ...entry, downloadingJobId: 'j9' })).toEqual({ kind: 'downloading', jobId: 'j9', percent: 0, line: 'Starting…' });
  });

  it('at rest: installed, paused with what was kept, or available with its size', () => {
    expect(pullState({ ...entry, installedId: 'sd-turbo' })).toEqual({ kind: 'installed', modelId: 'sd-turbo' });
    expect(pullState({ ...entry, partialBytes: 500_000_000 })).toEqual({ kind: 'paused', line: 'Paused · 477 MB of 1.9 GB kept (25%)' });
    expect(pullState(entry)).toEqual({ kind: 'available', line: '1.9 GB' });
  });
});
