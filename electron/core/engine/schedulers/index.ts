/** Scheduler factory: one object per generation job (DPM++ keeps the previous step's estimate). */
import { DdimScheduler } from './ddim.js';
import { DpmSolverMultistepScheduler } from './dpmSolverMultistep.js';
import { EulerDiscreteScheduler } from './eulerDiscrete.js';
import { LcmScheduler } from './lcm.js';
import { EngineError } from '../types.js';
import type { Scheduler, SchedulerConfig, SchedulerName, SchedulerOptions, TimestepSpacing } from './types.js';

export type {
  BetaSchedule,
  PredictionType,
  Scheduler,
  SchedulerConfig,
  SchedulerName,
  SchedulerOptions,
  TimestepSpacing,
} from './types.js';
export { DEFAULT_SCHEDULER_CONFIG, parseSchedulerConfig } from './config.js';
export { guidanceScaleEmbedding, lcmBoundaryScalings } from './lcm.js';

/** Each diffusers scheduler class's `timestep_spacing` default, used when the config names none. */
const CLASS_DEFAULT_SPACING: Record<SchedulerName, TimestepSpacing> = {
  euler: 'linspace',
  'euler-a': 'linspace',
  'dpmpp-2m': 'linspace',
  'dpmpp-2m-karras': 'linspace',
  ddim: 'leading',
  lcm: 'leading',
};

export function createScheduler(
  name: SchedulerName,
  declared: SchedulerConfig,
  steps: number,
  options: SchedulerOptions = {},
): Scheduler {
  const config = declared.timestepSpacingDeclared === false ? { ...declared, timestepSpacing: CLASS_DEFAULT_SPACING[name] } : declared;
  switch (name) {
    case 'euler':
      return new EulerDiscreteScheduler(config, steps, false);
    case 'euler-a':
      return new EulerDiscreteScheduler(config, steps, true);
    case 'ddim':
      return new DdimScheduler(config, steps);
    case 'dpmpp-2m':
      return new DpmSolverMultistepScheduler(config, steps, false);
    case 'dpmpp-2m-karras':
      return new DpmSolverMultistepScheduler(config, steps, true);
    case 'lcm':
      return new LcmScheduler(config, steps, options.strength ?? 1);
    default:
      // Reachable only from untyped callers (a stale settings file, a hand-written request).
      throw new EngineError(`unknown scheduler "${String(name satisfies never)}"`, 'invalid-input');
  }
}
