import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiEventName, ApiEvents } from '../../../contract/api.js';
import { createStudio, type Studio } from '../createStudio.js';
import { threadSpawner } from '../threadSpawner.js';

export const SCRIPTED_ENGINE = fileURLToPath(new URL('./scriptedEngine.ts', import.meta.url));
export const TEST_MODELS = fileURLToPath(new URL('../../../../native-models/test-models', import.meta.url));
export const REAL_ENGINE = fileURLToPath(new URL('../../engine/engine.ts', import.meta.url));

/**
 * A studio on a throwaway data folder with the tiny test models; events are collected in order (and
 * handed to `onEvent`, e.g. a transport under test).
 */
export function testStudio(
  engineModule = SCRIPTED_ENGINE,
  onEvent?: (event: ApiEventName, payload: unknown) => void,
): { studio: Studio; events: { event: ApiEventName; payload: unknown }[]; dispose(): void; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-jobs-'));
  const events: { event: ApiEventName; payload: unknown }[] = [];
  const studio = createStudio({
    dataDir,
    modelRoots: [TEST_MODELS],
    spawn: threadSpawner({ engineModule }),
    emit: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => {
      events.push({ event, payload });
      onEvent?.(event, payload);
    },
    previewUrl: (jobId, step) => `/previews/${jobId}.png?step=${step}`,
    origin: 'serve',
  });
  return {
    studio,
    events,
    dataDir,
    dispose() {
      studio.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the job's one terminal event. */
export async function waitForEnd(events: { event: ApiEventName; payload: unknown }[], jobId: string, timeoutMs = 60_000) {
  const t = Date.now();
  for (;;) {
    const end = events.find((e) => (e.event === 'generation:done' || e.event === 'generation:failed' || e.event === 'upscale:done') && (e.payload as { jobId: string }).jobId === jobId);
    if (end) return end;
    if (Date.now() - t > timeoutMs) throw new Error('job did not end');
    await new Promise((r) => setTimeout(r, 20));
  }
}
