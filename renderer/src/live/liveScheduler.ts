/**
 * When Live mode starts a generation. Pure (no DOM, no store): the caller offers each new input with a
 * key (a hash of everything the job would read), and reports when the job it was told to start ends.
 * The habits are Krita AI Diffusion's LiveScheduler, written as timers instead of a poll loop:
 *  - at most one job in flight; a newer input replaces the pending one (stale inputs are dropped, never queued);
 *  - nothing runs when nothing changed (the same key as the job that last ran is ignored);
 *  - when generations are slow (average above `slowJobMs`), wait `pauseMs` after the last edit before
 *    starting, but never longer than `maxWaitMs` after the first unanswered edit (painting without a pause
 *    still gets a preview);
 *  - a running job whose input has changed is cancelled (the engine stops between steps) when the next
 *    one is due, unless it is about to finish anyway.
 */

export interface LiveClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: LiveClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface LiveSchedulerOptions {
  /** Pause after the last edit, used only when the average job takes longer than `slowJobMs`. */
  pauseMs: number;
  slowJobMs: number;
  /** Upper bound on the wait from the first edit not yet rendered. */
  maxWaitMs: number;
  /** A stale job expected to end within this is left to finish instead of cancelled. */
  letFinishMs: number;
  /** Job durations averaged (most recent ones). */
  window: number;
}

export const DEFAULT_LIVE_SCHEDULE: LiveSchedulerOptions = { pauseMs: 250, slowJobMs: 1500, maxWaitMs: 3000, letFinishMs: 150, window: 10 };

export interface LiveJobs<I> {
  /** Start a job for `input`; the caller reports its end with `finished()`. */
  start(input: I, key: string): void;
  /** Ask the running job to stop; it still reports its end with `finished()`. */
  cancel(): void;
}

interface Running {
  key: string;
  startedAt: number;
  cancelling: boolean;
}

export class LiveScheduler<I> {
  private readonly opts: LiveSchedulerOptions;
  private running: Running | null = null;
  private pending: { key: string; input: I } | null = null;
  /** Key of the last job that ran to its end (or failed): the picture on screen answers it. */
  private answeredKey: string | null = null;
  private firstChangeAt = 0;
  private lastChangeAt = 0;
  private timer: unknown = null;
  private readonly durations: number[] = [];
  private stopped = false;
  /** Counters for the bench and tests. */
  readonly stats = { started: 0, cancelled: 0 };

  constructor(private readonly jobs: LiveJobs<I>, private readonly clock: LiveClock = realClock, opts: Partial<LiveSchedulerOptions> = {}) {
    this.opts = { ...DEFAULT_LIVE_SCHEDULE, ...opts };
  }

  get inFlight(): number {
    return this.running ? 1 : 0;
  }

  get hasPending(): boolean {
    return this.pending !== null;
  }

  /** Mean of the recent job durations (0 before the first). */
  get averageMs(): number {
    return this.durations.length ? this.durations.reduce((a, b) => a + b, 0) / this.durations.length : 0;
  }

  /** The pause applied after an edit now: none while generations are fast. */
  get pauseMs(): number {
    return this.averageMs > this.opts.slowJobMs ? this.opts.pauseMs : 0;
  }

  /** The input as it is now. Same key as what is running or shown: nothing to do. */
  offer(key: string, input: I): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const current = this.running && !this.running.cancelling ? this.running.key : this.answeredKey;
    if (key === current) {
      // Back to what is already running or shown (an undo, a prompt typed and erased): drop the pending one.
      this.pending = null;
      this.clearTimer();
      return;
    }
    if (this.pending?.key === key) {
      this.pending.input = input;
      return;
    }
    if (!this.pending) this.firstChangeAt = now;
    this.pending = { key, input };
    this.lastChangeAt = now;
    this.schedule();
  }

  /** The job started last has ended: done (`ok`), failed, or cancelled. */
  finished(outcome: 'ok' | 'failed' | 'cancelled'): void {
    const r = this.running;
    if (!r) return;
    this.running = null;
    if (outcome === 'ok') {
      this.durations.push(this.clock.now() - r.startedAt);
      if (this.durations.length > this.opts.window) this.durations.shift();
    }
    // A failed input is not retried until it changes (no error loop); a cancelled one was stale anyway.
    if (outcome !== 'cancelled') this.answeredKey = r.key;
    if (this.pending?.key === this.answeredKey) this.pending = null;
    if (this.pending) this.schedule();
  }

  /** Live off: nothing new starts; a running job is cancelled. */
  stop(): void {
    this.stopped = true;
    this.pending = null;
    this.clearTimer();
    if (this.running && !this.running.cancelling) {
      this.running.cancelling = true;
      this.stats.cancelled++;
      this.jobs.cancel();
    }
  }

  /** Live on again: the next offer runs (even the input last answered: its picture was taken away). */
  resume(): void {
    this.stopped = false;
    this.answeredKey = null;
  }

  private schedule(): void {
    this.clearTimer();
    if (!this.pending) return;
    const due = Math.min(this.lastChangeAt + this.pauseMs, this.firstChangeAt + this.opts.maxWaitMs);
    const wait = due - this.clock.now();
    if (wait <= 0) this.startDue();
    else this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.startDue();
    }, wait);
  }

  private startDue(): void {
    const next = this.pending;
    if (!next || this.stopped) return;
    const r = this.running;
    if (r) {
      if (r.cancelling) return;
      const remaining = this.averageMs - (this.clock.now() - r.startedAt);
      if (this.durations.length && remaining <= this.opts.letFinishMs) return; // finished() starts the next one
      r.cancelling = true;
      this.stats.cancelled++;
      this.jobs.cancel();
      return;
    }
    this.pending = null;
    this.running = { key: next.key, startedAt: this.clock.now(), cancelling: false };
    this.stats.started++;
    this.jobs.start(next.input, next.key);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
