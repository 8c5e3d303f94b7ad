import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSparseModel } from '../../host/security/sparseModel.js';
import { TEST_MODELS } from '../jobs/testing/testStudio.js';
import { displayLabel, readModelFolder } from './modelFolder.js';
import { checkWeightFiles } from './weightFiles.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model weights checked at inspect', () => {
  it('a UNet whose 4 GiB external data is a sparse file is refused in one sentence, before any session', () => {
    const model = writeSparseModel(join(dir, 'sparse'));
    expect(statSync(join(model, 'unet', 'weights.pb')).size).toBe(4 * 1024 ** 3);
    expect(() => readModelFolder(model)).toThrow(/^the weights file unet\/weights\.pb is sparse: 4\.3 GB long but only 0\.0 GB on disk/);
  });

  it('counts external data whatever its name, and refuses tensors larger than the machine', () => {
    const sdxl = join(TEST_MODELS, 'sdxl-tiny');
    const layout = readModelFolder(sdxl);
    const unet = statSync(join(sdxl, 'unet', 'model.onnx')).size + statSync(join(sdxl, 'unet', 'model.onnx_data')).size;
    expect(layout.weightBytes).toBeGreaterThan(unet);
    const { declaredBytes } = checkWeightFiles([join(sdxl, 'unet', 'model.onnx')]);
    expect(declaredBytes).toBeGreaterThan(0);
    expect(() => checkWeightFiles([join(sdxl, 'unet', 'model.onnx')], declaredBytes - 1)).toThrow(/this model's weights need about .* GB of memory, more than this machine's/);
  });

  it('labels lose control and bidi characters', () => {
    expect(displayLabel('Demo\u202E gnp.exe\n\u0007shapes')).toBe('Demo gnp.exe shapes');
  });
});
