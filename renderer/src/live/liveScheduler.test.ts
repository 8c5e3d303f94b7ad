import { describe, expect, it } from 'vitest';
import { LiveScheduler, type LiveClock } from './liveScheduler.js';

/** A clock that moves only when the test says so; timers fire in order as it passes them. */
class FakeClock implements LiveClock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimer = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** A fake engine: records starts and cancels; jobs end when the test finishes them. */
function setup(opts = {}) {
  const clock = new FakeClock();
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sched = new LiveScheduler<string>({
    start: (input) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`start ${input}`);
    },
    cancel: () => log.push('cancel'),
  }, clock, opts);
  const end = (outcome: 'ok' | 'failed' | 'cancelled' = 'ok') => {
    inFlight--;
    sched.finished(outcome);
  };
  return { clock, log, sched, end, maxInFlight: () => maxInFlight };
}

describe('LiveScheduler', () => {
  it('starts at once while generations are fast, and never for an input it already answered', () => {
    const { clock, log, sched, end } = setup();
    sched.offer('a', 'A');
    expect(log).toEqual(['start A']);
    clock.advance(100);
    end();
    sched.offer('a', 'A');
    clock.advance(5000);
    expect(log).toEqual(['start A']);
    expect(sched.inFlight).toBe(0);
  });

  it('keeps only the newest input while a job runs (stale ones dropped, not queued)', () => {
    const { clock, log, sched, end, maxInFlight } = setup({ letFinishMs: 1000 });
    sched.offer('a', 'A');
    clock.advance(50);
    end();
    sched.offer('b', 'B');
    sched.offer('c', 'C');
    sched.offer('d', 'D');
    expect(sched.inFlight).toBe(1);
    clock.advance(80);
    end();
    expect(log).toEqual(['start A', 'start B', 'start D']);
    end();
    expect(maxInFlight()).toBe(1);
  });

  it('cancels a running job whose input changed when the next is due, then starts the next', () => {
    const { clock, log, sched, end, maxInFlight } = setup({ letFinishMs: 50 });
    sched.offer('a', 'A');
    clock.advance(400);
    end(); // average 400 ms
    sched.offer('b', 'B');
    clock.advance(10);
    sched.offer('c', 'C');
    expect(log).toEqual(['start A', 'start B', 'cancel']);
    expect(sched.inFlight).toBe(1); // B still stopping: C waits, never two at once
    clock.advance(30);
    end('cancelled');
    expect(log.at(-1)).toBe('start C');
    expect(maxInFlight()).toBe(1);
    expect(sched.stats).toEqual({ started: 3, cancelled: 1 });
  });

  it('lets a stale job that is about to finish end instead of cancelling it', () => {
    const { clock, log, sched, end } = setup({ letFinishMs: 150 });
    sched.offer('a', 'A');
    clock.advance(200);
    end(); // average 200 ms
    sched.offer('b', 'B');
    clock.advance(100); // 100 ms left of B: let it finish
    sched.offer('c', 'C');
    expect(log).toEqual(['start A', 'start B']);
    clock.advance(100);
    end();
    expect(log).toEqual(['start A', 'start B', 'start C']);
  });

  it('waits a pause after the last edit when generations are slow, bounded by the maximum wait', () => {
    const { clock, log, sched, end } = setup({ pauseMs: 250, slowJobMs: 1500, maxWaitMs: 3000 });
    sched.offer('a', 'A');
    clock.advance(2000);
    end(); // slow: 2 s
    expect(sched.pauseMs).toBe(250);
    sched.offer('b', 'B');
    clock.advance(200);
    expect(log).toEqual(['start A']);
    clock.advance(60);
    expect(log).toEqual(['start A', 'start B']);
    clock.advance(2000);
    end();
    // Edits every 100 ms without a pause: the first unanswered edit is rendered at most 3 s later.
    const first = clock.t;
    for (let i = 0; i < 40 && log.length === 2; i++) {
      sched.offer(`k${i}`, `K${i}`);
      clock.advance(100);
    }
    expect(log.length).toBe(3);
    expect(clock.t - first).toBeLessThanOrEqual(3000 + 100);
    expect(clock.t - first).toBeGreaterThanOrEqual(3000);
  });

  it('an input changed and changed back before its turn runs nothing', () => {
    const { clock, log, sched, end } = setup({ letFinishMs: 0 });
    sched.offer('a', 'A');
    clock.advance(2000);
    end();
    sched.offer('b', 'B');
    sched.offer('a', 'A'); // undo: back to what is shown
    clock.advance(10_000);
    expect(log).toEqual(['start A']);
  });

  it('a failed input is not retried until it changes; stop cancels and ends the loop', () => {
    const { clock, log, sched, end } = setup();
    sched.offer('a', 'A');
    end('failed');
    sched.offer('a', 'A');
    clock.advance(1000);
    expect(log).toEqual(['start A']);
    sched.offer('b', 'B');
    sched.stop();
    expect(log).toEqual(['start A', 'start B', 'cancel']);
    end('cancelled');
    sched.offer('c', 'C');
    clock.advance(1000);
    expect(log.at(-1)).toBe('cancel');
    sched.resume();
    sched.offer('a', 'A');
    expect(log.at(-1)).toBe('start A');
  });

  it('nothing runs during a long quiet period', () => {
    const { clock, log, sched, end } = setup();
    sched.offer('a', 'A');
    clock.advance(100);
    end();
    for (let i = 0; i < 50; i++) {
      sched.offer('a', 'A');
      clock.advance(100);
    }
    expect(log).toEqual(['start A']);
  });
});
