import { describe, expect, it } from 'vitest';
import { clampLive, liveDefaults, liveModelKind, stepsRun } from './liveDefaults.js';

const model = (id: string, recommended = {}) => ({ id, name: id, family: 'sd1' as const, recommended });

describe('Live defaults', () => {
  it('recognises distilled models by name', () => {
    expect(liveModelKind(model('sd-turbo'))).toBe('turbo');
    expect(liveModelKind(model('sdxl-turbo-fp16'))).toBe('turbo');
    expect(liveModelKind(model('dreamshaper-lcm'))).toBe('lcm');
    expect(liveModelKind(model('LCM_Dreamshaper_v7'))).toBe('lcm');
    expect(liveModelKind(model('atelier-shapes-128'))).toBe('other');
    expect(liveModelKind(model('calcmodel'))).toBe('other');
  });

  it('Turbo: 1–4 steps run, guidance ≤ 1; LCM: 4 steps with the LCM scheduler; others: reduced steps', () => {
    const turbo = liveDefaults(model('sd-turbo'), 7);
    expect(stepsRun(turbo.steps, turbo.strength)).toBeGreaterThanOrEqual(1);
    expect(stepsRun(turbo.steps, turbo.strength)).toBeLessThanOrEqual(4);
    expect(turbo.guidance).toBeLessThanOrEqual(1);
    expect(turbo.seed).toBe(7);
    const lcm = liveDefaults(model('lcm-sd15'), 1);
    expect(lcm.scheduler).toBe('lcm');
    expect(stepsRun(lcm.steps, lcm.strength)).toBe(4);
    const demo = liveDefaults(model('atelier-shapes-128', { steps: 20, guidance: 5, scheduler: 'euler' }), 1);
    expect(demo).toMatchObject({ guidance: 5, scheduler: 'euler', strength: 0.4 });
    expect(stepsRun(demo.steps, demo.strength)).toBeGreaterThanOrEqual(3);
    expect(stepsRun(demo.steps, demo.strength)).toBeLessThan(20);
    expect(demo.strength).toBeGreaterThanOrEqual(0.3);
  });

  it('clamps typed values so at least one step runs', () => {
    expect(stepsRun(clampLive({ strength: 0.1, steps: 2, guidance: -1, scheduler: 'euler', seed: -4 }).steps, 0.1)).toBe(1);
    expect(clampLive({ strength: 3, steps: 500, guidance: 99, scheduler: 'euler', seed: 2 ** 40 })).toEqual({ strength: 1, steps: 200, guidance: 30, scheduler: 'euler', seed: 0xffffffff });
  });
});
