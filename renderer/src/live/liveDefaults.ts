import type { ModelSummary } from '../../../electron/contract/api.js';
import type { SchedulerName } from '../../../electron/contract/generation.js';

/** What a live draft runs with; editable in the Live section, reset when the model changes. */
export interface LiveSettings {
  /** img2img strength over the canvas under the frame (how far the draft may move away from it). */
  strength: number;
  /** Schedule length; img2img runs `stepsRun()` of them. */
  steps: number;
  guidance: number;
  scheduler: SchedulerName;
  /** Fixed while live, so a change on screen comes from the input, not from new noise. */
  seed: number;
}

export type LiveModelKind = 'turbo' | 'lcm' | 'other';

/** Distilled models by their name (SD-Turbo, SDXL-Turbo, LCM / LCM-LoRA merges), as users name them. */
export function liveModelKind(model: Pick<ModelSummary, 'id' | 'name' | 'label'> | undefined): LiveModelKind {
  const text = `${model?.id ?? ''} ${model?.name ?? ''} ${model?.label ?? ''}`.toLowerCase();
  if (/turbo|lightning|hyper/.test(text)) return 'turbo';
  if (/(^|[^a-z])lcm([^a-z]|$)|latent.?consistency/.test(text)) return 'lcm';
  return 'other';
}

/** Steps img2img really runs at this strength (the engine skips the first N − ⌊N·s⌋). */
export function stepsRun(steps: number, strength: number): number {
  return Math.floor(steps * strength);
}

/**
 * The model's fast settings: SD-Turbo / SDXL-Turbo 2 of 4 steps, guidance 0, Euler a (trailing spacing is what
 * they were distilled for); LCM 4 of 8 steps with the LCM scheduler, guidance 1; others a fifth of their
 * recommended steps (at least 3 run), with their own guidance and scheduler. Strength 0.5 for the distilled ones
 * (they need ⌊N·s⌋ ≥ 1), 0.4 otherwise.
 */
export function liveDefaults(model: ModelSummary | undefined, seed: number): LiveSettings {
  const r = model?.recommended ?? {};
  switch (liveModelKind(model)) {
    case 'turbo':
      return { strength: 0.5, steps: 4, guidance: 0, scheduler: 'euler-a', seed };
    case 'lcm':
      return { strength: 0.5, steps: 8, guidance: 1, scheduler: 'lcm', seed };
    default: {
      const strength = 0.4;
      const full = r.steps ?? 20;
      const run = Math.max(3, Math.round(full / 5));
      return {
        strength,
        steps: Math.min(full, Math.ceil(run / strength)),
        guidance: r.guidance ?? 7,
        scheduler: (r.scheduler as SchedulerName | undefined) ?? 'euler-a',
        seed,
      };
    }
  }
}

/** Settings as typed, made valid: at least one step runs, guidance ≤ 1 stays allowed for distilled models. */
export function clampLive(s: LiveSettings): LiveSettings {
  const strength = Math.min(1, Math.max(0.05, s.strength));
  const steps = Math.max(Math.ceil(1 / strength), Math.min(200, Math.round(s.steps)));
  return { ...s, strength, steps, guidance: Math.min(30, Math.max(0, s.guidance)), seed: Math.round(Math.min(0xffffffff, Math.max(0, s.seed))) };
}
