import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir } from './dataDir.js';

describe('defaultDataDir', () => {
  it('follows each platform’s convention', () => {
    expect(defaultDataDir({}, 'linux', '/home/ada')).toBe('/home/ada/.local/share/atelier');
    expect(defaultDataDir({ XDG_DATA_HOME: '/data/xdg' }, 'linux', '/home/ada')).toBe('/data/xdg/atelier');
    // A relative XDG_DATA_HOME is invalid per the spec and ignored.
    expect(defaultDataDir({ XDG_DATA_HOME: 'rel/path' }, 'linux', '/home/ada')).toBe('/home/ada/.local/share/atelier');
    expect(defaultDataDir({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/Atelier');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).toMatch(/Roaming[\\/]Atelier$/);
  });

  it('lets --data beat ATELIER_DATA_DIR beat the default', () => {
    expect(resolveDataDir('/flag', { ATELIER_DATA_DIR: '/env' })).toBe('/flag');
    expect(resolveDataDir(undefined, { ATELIER_DATA_DIR: '/env' })).toBe('/env');
    expect(resolveDataDir(undefined, { XDG_DATA_HOME: '/x' })).toBe(process.platform === 'linux' ? '/x/atelier' : defaultDataDir({ XDG_DATA_HOME: '/x' }));
  });
});
