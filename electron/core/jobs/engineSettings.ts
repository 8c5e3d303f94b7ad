import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EngineOptions } from '../engine/engine.js';
import { PROVIDER_PREFERENCES } from '../engine/onnx/providers.js';
import { previewDecoders } from '../models/modelLibrary.js';

/**
 * The engine's user settings, in `<data>/settings.json` (`engine` key), shared by the app, `serve` and
 * the CLI. A missing file means defaults; a broken one means defaults plus a notice, never a crash.
 */
export const EngineSettingsSchema = z.object({
  provider: z.enum(PROVIDER_PREFERENCES).default('auto'),
  /** Run a model folder's safety checker and blur what it flags. */
  safetyChecker: z.boolean().default(true),
  /** Words and phrases a prompt may not contain. */
  promptFilter: z.array(z.string().max(200)).max(2000).default([]),
  /** Free the model's memory after this many idle minutes (0: keep it loaded). */
  idleReleaseMinutes: z.number().min(0).max(24 * 60).default(10),
});
export type EngineSettings = z.infer<typeof EngineSettingsSchema>;

export const SETTINGS_FILE = 'settings.json';

export function readEngineSettings(dataDir: string): { settings: EngineSettings; notice?: string } {
  const path = join(dataDir, SETTINGS_FILE);
  const defaults = EngineSettingsSchema.parse({});
  if (!existsSync(path)) return { settings: defaults };
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { engine?: unknown };
    const parsed = EngineSettingsSchema.safeParse(json.engine ?? {});
    if (parsed.success) return { settings: parsed.data };
    const issue = parsed.error.issues[0]!;
    return { settings: defaults, notice: `${path}: engine.${issue.path.join('.')}: ${issue.message}; using the defaults` };
  } catch {
    return { settings: defaults, notice: `${path} is not valid JSON; using the default engine settings` };
  }
}

/** Everything the engine process is started with: the user's settings plus installed TAESD decoders. */
export function engineOptionsFor(dataDir: string, overrides: { provider?: string } = {}): EngineOptions & { notices: string[] } {
  const { settings, notice } = readEngineSettings(dataDir);
  const provider = PROVIDER_PREFERENCES.find((p) => p === overrides.provider) ?? settings.provider;
  return {
    provider,
    safetyChecker: settings.safetyChecker,
    promptFilter: settings.promptFilter,
    idleReleaseMs: settings.idleReleaseMinutes * 60_000,
    previewDecoders: previewDecoders(dataDir),
    notices: notice ? [notice] : [],
  };
}
