import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const HERE = import.meta.dirname;

function bytesUnder(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const p = join(dir, name);
    const s = statSync(p);
    return sum + (s.isDirectory() ? bytesUnder(p) : s.size);
  }, 0);
}

describe('native-models/README.md', () => {
  it('states a size for the committed test models that they keep to (every clone carries them)', () => {
    const claim = /test-models\/.*\(< (\d+) MB together/.exec(readFileSync(join(HERE, 'README.md'), 'utf8'));
    expect(claim, 'README names the test models\' total size').not.toBeNull();
    const total = bytesUnder(join(HERE, 'test-models'));
    expect(total).toBeLessThan(Number(claim![1]) * 1024 * 1024);
    // A bound far above the real size says nothing: keep it within 1.5× of what is there.
    expect(Number(claim![1]) * 1024 * 1024).toBeLessThan(total * 1.5);
  });
});
