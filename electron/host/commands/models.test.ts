import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../core/models/defaultModel.js';
import { catalogEntryForFolder, startTestModelServer, type TestModelServer } from '../../core/models/testing/testModelServer.js';
import { cli } from '../testing/cliCapture.testutil.js';
import { progressLine } from './models.js';

const tmp = mkdtempSync(join(tmpdir(), 'atelier-cli-models-'));
const source = join(tmp, 'source');
cpSync(join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny'), source, { recursive: true });
const catalogFile = join(tmp, 'catalog.json');
let server: TestModelServer;

beforeAll(async () => {
  const entry = catalogEntryForFolder(source, 'tiny-sd15');
  server = await startTestModelServer(source, entry.source.repo);
  writeFileSync(catalogFile, JSON.stringify({ type: 'atelier-model-catalog', version: 1, models: [entry] }));
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('cli models pull / import / list', () => {
  it('pull places a verified model that list then shows as installed', async () => {
    const data = join(tmp, 'data-pull');
    const common = ['--data', data, '--catalog', catalogFile];
    const before = await cli('models', 'list', ...common, '--json');
    expect(JSON.parse(before.out[0]!).catalogue[0]).toMatchObject({ id: 'tiny-sd15', installedDir: null, partialBytes: 0 });

    const r = await cli('models', 'pull', 'tiny-sd15', ...common, '--base-url', server.baseUrl);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const dir = join(data, 'models', 'tiny-sd15');
    expect(r.out[0]).toBe(`tiny-sd15: ${catalogEntryForFolder(source, 'x').files.length} files, ${r.out[0]!.match(/files, (.*) →/)![1]} → ${dir}`);
    expect(readFileSync(join(dir, 'unet', 'model.onnx')).equals(readFileSync(join(source, 'unet', 'model.onnx')))).toBe(true);

    const after = await cli('models', 'list', ...common);
    expect(after.out).toContain('Installed:');
    expect(after.out.find((l) => l.includes(dir))).toMatch(/^ {2}tiny-sd15 +sd1 +pulled +/);
    expect(after.out.find((l) => l.trimStart().startsWith('tiny-sd15') && l.includes('~'))).toMatch(/installed +test +Test tiny-sd15$/);

    const again = await cli('models', 'pull', 'tiny-sd15', ...common, '--base-url', server.baseUrl);
    expect(again).toMatchObject({ code: 2, err: [`error: ${dir} already exists; remove it first or pull under another name`] });
  });

  it('pull failures are one line: unknown name, 404 from the server, bad catalogue', async () => {
    const data = join(tmp, 'data-fail');
    const unknown = await cli('models', 'pull', 'sd-99', '--data', data, '--catalog', catalogFile);
    expect(unknown).toMatchObject({ code: 2, err: ['error: no model "sd-99" in the catalogue (known: tiny-sd15)'] });

    const wrongRepo = join(tmp, 'wrong.json');
    const entry = catalogEntryForFolder(source, 'ghost', 'atelier-test/ghost');
    writeFileSync(wrongRepo, JSON.stringify({ type: 'atelier-model-catalog', version: 1, models: [entry] }));
    const missing = await cli('models', 'pull', 'ghost', '--data', data, '--catalog', wrongRepo, '--base-url', server.baseUrl);
    expect(missing.code).toBe(2);
    expect(missing.err).toHaveLength(1);
    expect(missing.err[0]).toMatch(/^error: download failed: HTTP 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/atelier-test\/ghost\/resolve\/main\//);
    expect(existsSync(join(data, 'models', 'ghost'))).toBe(false);

    writeFileSync(wrongRepo, '{"type": "atelier-model-catalog", "version": 1, "models": []}');
    const bad = await cli('models', 'list', '--data', data, '--catalog', wrongRepo);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/^error: .*wrong\.json is invalid at models: /);
  });

  it('import checks and registers a folder in place; a broken folder is refused in one line', async () => {
    const data = join(tmp, 'data-import');
    const mine = join(tmp, 'elsewhere', 'my-model');
    cpSync(source, mine, { recursive: true });
    const r = await cli('models', 'import', mine, '--data', data, '--provider', 'cpu');
    expect(r).toMatchObject({ code: 0, out: [`imported ${mine} as my-model (files stay where they are)`] });
    const listed = JSON.parse((await cli('models', 'list', '--data', data, '--catalog', catalogFile, '--json')).out[0]!);
    expect(listed.installed.find((m: { id: string }) => m.id === 'my-model')).toMatchObject({ dir: mine, origin: 'imported' });

    const broken = join(tmp, 'elsewhere', 'broken');
    cpSync(source, broken, { recursive: true });
    rmSync(join(broken, 'model_index.json'));
    const b = await cli('models', 'import', broken, '--data', data);
    expect(b).toMatchObject({ code: 2, err: [`error: model_index.json is missing: ${join(broken, 'model_index.json')}`] });

    expect(await cli('models', 'forget', 'my-model', '--data', data)).toMatchObject({ code: 0 });
    expect(await cli('models', 'forget', 'my-model', '--data', data)).toMatchObject({ code: 2 });
  });

  it('the progress line shows percent, sizes, speed and time left', () => {
    expect(progressLine({ modelId: 'x', phase: 'downloading', file: 'unet/model.onnx_data', fileIndex: 3, fileCount: 9, doneBytes: 2 ** 30, totalBytes: 4 * 2 ** 30, bytesPerSecond: 50 * 2 ** 20, etaSeconds: 61.4 }))
      .toBe(' 25.0%  1.00 GiB / 4.00 GiB  50.0 MiB/s  1:01 left  unet/model.onnx_data');
    expect(progressLine({ modelId: 'x', phase: 'checking', fileIndex: 0, fileCount: 9, doneBytes: 0, totalBytes: 0, bytesPerSecond: 0, etaSeconds: null }))
      .toMatch(/^ {2}0\.0%  0 B \/ 0 B  0 B\/s  --:-- left/);
  });
});
