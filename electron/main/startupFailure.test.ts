import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudio } from '../core/jobs/createStudio.js';
import { threadSpawner } from '../core/jobs/threadSpawner.js';
import { SCRIPTED_ENGINE } from '../core/jobs/testing/testStudio.js';
import { startOrExplain, STARTUP_FAILURE_TITLE } from './startupFailure.js';

/** Records what main would do with Electron's app and dialog. */
function recordingHost() {
  const calls: string[] = [];
  return {
    calls,
    showErrorBox: (title: string, content: string) => void calls.push(`dialog: ${title} | ${content}`),
    releaseSingleInstanceLock: () => void calls.push('release lock'),
    exit: (code: number) => void calls.push(`exit ${code}`),
  };
}

describe('Electron start-up failure', () => {
  it('a history that cannot be opened: one-sentence dialog, the single-instance lock released, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atelier-startup-'));
    const dataDir = join(dir, 'data');
    writeFileSync(dataDir, 'a file where the data folder should be');
    const host = recordingHost();
    try {
      // The same call main makes in whenReady, with a data folder it cannot use.
      const started = await startOrExplain(
        () => createStudio({ dataDir, modelRoots: [], spawn: threadSpawner({ engineModule: SCRIPTED_ENGINE }), emit: () => undefined, previewUrl: () => '', origin: 'app' }).close(),
        host,
      );
      expect(started).toBe(false);
      expect(host.calls).toHaveLength(3);
      expect(host.calls[0]).toMatch(new RegExp(`^dialog: ${STARTUP_FAILURE_TITLE} \\| [A-Z][^\\n]*history[^\\n]*\\.$`));
      expect(host.calls.slice(1)).toEqual(['release lock', 'exit 1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a start that works shows nothing and keeps the lock', async () => {
    const host = recordingHost();
    expect(await startOrExplain(async () => undefined, host)).toBe(true);
    expect(host.calls).toEqual([]);
  });
});
