import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineOptionsFor, readEngineSettings } from './engineSettings.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('engine settings', () => {
  it('defaults without a file: safety checker on, no filter, release after 10 idle minutes', () => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-settings-'));
    const opts = engineOptionsFor(dir);
    expect(opts).toMatchObject({ provider: 'auto', safetyChecker: true, promptFilter: [], idleReleaseMs: 600_000, notices: [] });
  });

  it('reads the user settings, and a command-line provider wins', () => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-settings-'));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ engine: { provider: 'cpu', safetyChecker: false, promptFilter: ['gore'], idleReleaseMinutes: 0 } }));
    expect(engineOptionsFor(dir)).toMatchObject({ provider: 'cpu', safetyChecker: false, promptFilter: ['gore'], idleReleaseMs: 0 });
    expect(engineOptionsFor(dir, { provider: 'cuda' }).provider).toBe('cuda');
  });

  it('falls back to defaults with a notice for a broken or wrong file', () => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-settings-'));
    writeFileSync(join(dir, 'settings.json'), '{ not json');
    expect(readEngineSettings(dir).notice).toMatch(/not valid JSON; using the default engine settings/);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ engine: { provider: 'tpu' } }));
    const r = readEngineSettings(dir);
    expect(r.settings.provider).toBe('auto');
    expect(r.notice).toMatch(/engine\.provider: /);
  });
});
