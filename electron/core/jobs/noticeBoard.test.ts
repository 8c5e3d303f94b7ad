import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiEventName } from '../../contract/api.js';
import { invokeChannel } from './apiHandlers.js';
import { createStudio } from './createStudio.js';
import { threadSpawner } from './threadSpawner.js';
import { SCRIPTED_ENGINE } from './testing/testStudio.js';

describe('notices reach the app through the contract (both hosts wire createStudio)', () => {
  it('a damaged history: the studio starts, the file is moved aside, notices:list has it once until dismissed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'atelier-notices-'));
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'history.db'), Buffer.from('not a database at all '.repeat(300)));
    const events: { event: ApiEventName; payload: unknown }[] = [];
    const studio = createStudio({
      dataDir, modelRoots: [], spawn: threadSpawner({ engineModule: SCRIPTED_ENGINE }), previewUrl: () => '', origin: 'serve',
      emit: (event, payload) => void events.push({ event, payload }),
      notices: ['settings.json could not be read (Unexpected token); the defaults are used.'],
    });
    const call = (channel: string, payload: unknown) => invokeChannel(studio.backend.handlers, channel, payload);
    try {
      expect(readdirSync(dataDir).some((f) => f.startsWith('history.db.corrupt-'))).toBe(true);
      const listed = await call('notices:list', {});
      expect(listed).toEqual({ ok: true, value: { notices: [
        { id: 'notice-1', message: 'settings.json could not be read (Unexpected token); the defaults are used.' },
        { id: 'notice-2', message: expect.stringMatching(/^The history database could not be read .* moved to .*history\.db\.corrupt-.* new, empty history was started\.$/) },
      ] } });
      // A reload lists it again until dismissed; dismissing twice is harmless; a later notice is an event.
      expect(await call('notices:dismiss', { id: 'notice-2' })).toEqual({ ok: true, value: { dismissed: true } });
      expect(await call('notices:dismiss', { id: 'notice-2' })).toEqual({ ok: true, value: { dismissed: false } });
      expect((await call('notices:list', {}) as { value: { notices: unknown[] } }).value.notices).toHaveLength(1);
      studio.backend.notices.add('A later notice.');
      studio.backend.notices.add('A later notice.');
      // Every notice is also an event (a window already open hears of it); the same text is one notice.
      expect(events.filter((e) => e.event === 'notices:added').map((e) => (e.payload as { id: string }).id)).toEqual(['notice-1', 'notice-2', 'notice-3']);
      expect(await call('notices:dismiss', { id: '../../x' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    } finally {
      studio.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
