import type { CatalogEntry } from './modelCatalog.js';

/** Progress of one pull: bytes per file, speed over a sliding window, time left, throttled events. */

export type PullPhase = 'checking' | 'downloading' | 'placing' | 'done';

export interface PullProgress {
  modelId: string;
  phase: PullPhase;
  /** The file being fetched, relative to the model folder. */
  file?: string;
  fileIndex: number;
  fileCount: number;
  /** Bytes on disk for this model (including resumed parts) and the expected total. */
  doneBytes: number;
  totalBytes: number;
  /** Over the last few seconds of this session's transfer. */
  bytesPerSecond: number;
  /** null until there is a speed to divide by. */
  etaSeconds: number | null;
}

/** Progress bookkeeping: bytes per file, a speed window over this session's transfer, throttled events. */
export class ProgressMeter {
  private readonly sizes = new Map<string, number>();
  private readonly done = new Map<string, number>();
  private samples: Array<{ t: number; bytes: number }> = [];
  private sessionBytes = 0;
  private lastEmit = 0;
  file: string | undefined;
  fileIndex = 0;

  constructor(
    private readonly entry: CatalogEntry,
    private readonly emit: ((p: PullProgress) => void) | undefined,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const f of entry.files) this.sizes.set(f.path, f.size ?? f.approxBytes);
  }

  setSize(path: string, bytes: number): void {
    this.sizes.set(path, bytes);
  }
  skip(path: string): void {
    this.sizes.delete(path);
    this.done.delete(path);
  }
  setDone(path: string, bytes: number): void {
    this.done.set(path, bytes);
  }
  received(path: string, onDisk: number, chunk: number): void {
    this.done.set(path, onDisk);
    this.sessionBytes += chunk;
    const now = this.now();
    // One sample per 100 ms at most: a fast link delivers thousands of chunks a second.
    const n = this.samples.length;
    if (n >= 2 && now - this.samples[n - 2]!.t < 100) this.samples[n - 1] = { t: now, bytes: this.sessionBytes };
    else this.samples.push({ t: now, bytes: this.sessionBytes });
    while (this.samples.length > 2 && now - this.samples[0]!.t > 5000) this.samples.shift();
    if (now - this.lastEmit >= this.intervalMs) this.report('downloading');
  }

  report(phase: PullPhase): void {
    if (!this.emit) return;
    this.lastEmit = this.now();
    const totalBytes = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    const doneBytes = [...this.done.values()].reduce((a, b) => a + b, 0);
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const dt = first && last ? (last.t - first.t) / 1000 : 0;
    const bytesPerSecond = dt > 0.05 ? (last!.bytes - first!.bytes) / dt : 0;
    const left = Math.max(0, totalBytes - doneBytes);
    this.emit({
      modelId: this.entry.id,
      phase,
      file: this.file,
      fileIndex: this.fileIndex,
      fileCount: this.entry.files.length,
      doneBytes,
      totalBytes,
      bytesPerSecond,
      etaSeconds: phase === 'done' ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : null,
    });
  }
}

