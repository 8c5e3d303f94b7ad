import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHIPPED_STYLES } from '../../contract/styles.js';
import { UserStyles } from './userStyles.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-styles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('user style presets', () => {
  it('keep user presets in styles.json: save, replace, shadow a shipped one, delete; a broken file is a notice', async () => {
    const data = join(dir, 'store');
    const styles = new UserStyles(data);
    expect(styles.list().styles.every((s) => s.builtIn)).toBe(true);
    await styles.save({ name: 'Mine', prompt: 'moody, {prompt}', negativePrompt: 'bright', guidance: 5 });
    await styles.save({ name: 'mine', prompt: 'moodier, {prompt}' });
    await styles.save({ name: 'Anime', prompt: 'my anime {prompt}' });
    const listed = styles.list().styles;
    expect(listed.filter((s) => !s.builtIn).map((s) => s.name)).toEqual(['mine', 'Anime']);
    expect(listed.filter((s) => s.name.toLowerCase() === 'anime')).toHaveLength(1);
    expect(styles.find('MINE')?.prompt).toBe('moodier, {prompt}');
    expect(await styles.delete('Mine')).toBe(true);
    expect(await styles.delete('Mine')).toBe(false);
    await expect(styles.save({ name: '  ', prompt: 'x' })).rejects.toThrow(/needs a name/);
    writeFileSync(join(data, 'styles.json'), '{not json');
    expect(styles.list().notice).toMatch(/not a valid styles file/);
    expect(styles.list().styles.length).toBe(SHIPPED_STYLES.length);
  });
});
