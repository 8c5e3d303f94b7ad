import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../shared/format.js';
import { ProgressMeter, type PullProgress } from './downloadProgress.js';
import type { CatalogEntry } from './modelCatalog.js';

const entry = {
  id: 'm',
  files: [
    { path: 'a', size: 1000, approxBytes: 1000, sha256: null },
    { path: 'b', size: null, approxBytes: 9000, sha256: null },
  ],
} as unknown as CatalogEntry;

describe('ProgressMeter', () => {
  it('speed comes from this session only, over the last 5 s; time left divides what remains by it', () => {
    let t = 0;
    const events: PullProgress[] = [];
    const m = new ProgressMeter(entry, (p) => events.push(p), 1000, () => t);
    // 400 bytes of "a" were already on disk from an earlier run: they count as done, not as speed.
    m.setDone('a', 400);
    m.report('checking');
    expect(events[0]).toMatchObject({ doneBytes: 400, totalBytes: 10_000, bytesPerSecond: 0, etaSeconds: null });
    // 100 bytes every 100 ms = 1000 B/s, for 6 s.
    for (let i = 1; i <= 60; i++) {
      t = i * 100;
      m.received('a', Math.min(1000, 400 + i * 100), 100);
    }
    const last = events[events.length - 1]!;
    expect(last.phase).toBe('downloading');
    expect(last.bytesPerSecond).toBeCloseTo(1000, 5);
    // Throttled to one event per second (t = 1 s … 6 s).
    expect(events.filter((e) => e.phase === 'downloading')).toHaveLength(6);
    // The server's real length replaces the catalogue's estimate.
    m.setSize('b', 5000);
    m.report('downloading');
    const e = events[events.length - 1]!;
    expect(e.totalBytes).toBe(6000);
    expect(e.doneBytes).toBe(1000);
    expect(e.etaSeconds).toBeCloseTo(5, 5);
  });

  it('a stall shows as a falling speed once the window moves past the last bytes', () => {
    let t = 0;
    const events: PullProgress[] = [];
    const m = new ProgressMeter(entry, (p) => events.push(p), 0, () => t);
    for (let i = 1; i <= 20; i++) {
      t = i * 100;
      m.received('b', i * 200, 200);
    }
    const fast = events[events.length - 1]!.bytesPerSecond;
    t = 9000;
    m.received('b', 4001, 1);
    expect(events[events.length - 1]!.bytesPerSecond).toBeLessThan(fast / 2);
  });

  it('skipped files leave the total; formatBytes picks readable units', () => {
    const events: PullProgress[] = [];
    const m = new ProgressMeter(entry, (p) => events.push(p), 0, () => 0);
    m.skip('b');
    m.report('done');
    expect(events[0]).toMatchObject({ totalBytes: 1000, etaSeconds: 0 });
    expect([formatBytes(512, 'precise'), formatBytes(1536, 'precise'), formatBytes(5 * 2 ** 30, 'precise'), formatBytes(200 * 2 ** 20, 'precise')]).toEqual(['512 B', '1.50 KiB', '5.00 GiB', '200.0 MiB']);
  });
});
