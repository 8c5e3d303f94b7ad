import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../models/defaultModel.js';
import { InstalledModels } from './installedModels.js';

const root = mkdtempSync(join(tmpdir(), 'atelier-catalogue-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('InstalledModels', () => {
  it('lists each model with its label and the settings it was made for', () => {
    const dir = join(root, 'shapes');
    cpSync(join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny'), dir, { recursive: true });
    const index = JSON.parse(readFileSync(join(dir, 'model_index.json'), 'utf8')) as Record<string, unknown>;
    index['_atelier'] = { label: 'Demo · shapes, 128 px', recommended: { steps: 20, guidance: 5, scheduler: 'ddim' }, size: [128, 128] };
    writeFileSync(join(dir, 'model_index.json'), JSON.stringify(index));
    cpSync(join(projectRoot(), 'native-models', 'test-models', 'sdxl-tiny'), join(root, 'xl'), { recursive: true });

    const list = new InstalledModels([root]).list();
    expect(list.find((m) => m.id === 'shapes')).toEqual({
      id: 'shapes', name: 'shapes', family: 'sd1', label: 'Demo · shapes, 128 px',
      recommended: { width: 128, height: 128, steps: 20, guidance: 5, scheduler: 'ddim' },
    });
    // A folder without Atelier's block lists by its name and suggests nothing.
    expect(list.find((m) => m.id === 'xl')).toMatchObject({ id: 'xl', family: 'sdxl', label: 'xl', recommended: undefined });
  });
});
