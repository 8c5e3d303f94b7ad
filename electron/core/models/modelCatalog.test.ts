import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogError, expectedBytes, fileUrl, findEntry, loadCatalog, parseCatalog, type ModelCatalog } from './modelCatalog.js';

const tmp = mkdtempSync(join(tmpdir(), 'atelier-catalog-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function clone(c: ModelCatalog): ModelCatalog {
  return JSON.parse(JSON.stringify(c)) as ModelCatalog;
}

describe('native-models/catalog.json', () => {
  const catalog = loadCatalog();

  it('validates and lists the models users pick', () => {
    expect(catalog.models.map((m) => m.id)).toEqual(['sd-turbo', 'sdxl-turbo', 'lcm-dreamshaper-v7', 'sd15-inpainting', 'taesd', 'taesdxl', 'realesrgan-x4plus', 'realesrgan-x4plus-anime-6b',
      'stable-diffusion-v1-5-onnx-controlnet', 'controlnet-sd15-canny', 'controlnet-sd15-scribble', 'controlnet-sd15-depth',
      'controlnet-sd15-openpose', 'controlnet-sd15-lineart', 'controlnet-sdxl-canny', 'controlnet-sdxl-depth']);
    for (const m of catalog.models) {
      expect(m.sources.length).toBeGreaterThan(0);
      expect(m.license.id.length).toBeGreaterThan(0);
    }
  });

  it('pipelines carry recommended settings; turbo models run without guidance at 512 px', () => {
    for (const id of ['sd-turbo', 'sdxl-turbo']) {
      const r = findEntry(catalog, id).recommended;
      expect(r).toMatchObject({ guidance: 0, width: 512, height: 512, scheduler: 'euler-a' });
      expect(r!.steps).toBeLessThanOrEqual(4);
    }
    expect(findEntry(catalog, 'lcm-dreamshaper-v7').recommended?.scheduler).toBe('lcm');
    expect(findEntry(catalog, 'taesd').recommended).toBeNull();
    expect(findEntry(catalog, 'taesdxl')).toMatchObject({ kind: 'preview-vae', family: 'sdxl' });
  });

  it('ControlNets (issue 20): files fetched from their subfolder of the collection, placed at the folder root', () => {
    const canny = findEntry(catalog, 'controlnet-sd15-canny');
    expect(canny).toMatchObject({ kind: 'controlnet', family: 'sd1', source: { repo: 'TensorStack/ControlNet-amuse', subfolder: 'StableDiffusion/Canny' } });
    expect(fileUrl(canny, canny.files[0]!)).toBe('https://huggingface.co/TensorStack/ControlNet-amuse/resolve/76ef99ee42ab075faec360e01a56bb8b84d58963/StableDiffusion/Canny/model.onnx');
    expect(findEntry(catalog, 'controlnet-sdxl-depth').files.map((f) => f.path)).toEqual(['model.onnx', 'model.onnx.data']);
    expect(findEntry(catalog, 'stable-diffusion-v1-5-onnx-controlnet').files.some((f) => f.path === 'controlnet/model.onnx')).toBe(true);
    const broken = structuredClone(catalog);
    broken.models.find((m) => m.id === 'controlnet-sd15-canny')!.files = [{ path: 'amuse_template.json', size: null, approxBytes: 1, sha256: null }];
    expect(() => parseCatalog(broken)).toThrow(/a ControlNet needs model.onnx or controlnet\/model.onnx/);
  });

  it('upscalers: one top-level .onnx, scale and range for upscaler.json, the published hash where there is one', () => {
    const x4 = findEntry(catalog, 'realesrgan-x4plus');
    expect(x4).toMatchObject({ kind: 'upscaler', upscaler: { scale: 4, range: [0, 1] }, recommended: null });
    expect(x4.family).toBeUndefined();
    expect(x4.files).toEqual([{ path: 'Real-ESRGAN-x4plus.onnx', size: 67123260, approxBytes: 67123260, sha256: 'e25d35c847f81e51a6f89cb939c373c9dc535871a820a4ab87ed1207a457f5c8' }]);
    const broken = structuredClone(catalog);
    delete (broken.models.find((m) => m.id === 'realesrgan-x4plus') as { upscaler?: unknown }).upscaler;
    expect(() => parseCatalog(broken)).toThrow('an upscaler needs "upscaler": {"scale": N}');
  });

  it('external weight files of the big UNets are listed with their published hashes', () => {
    const xl = findEntry(catalog, 'sdxl-turbo');
    const data = xl.files.find((f) => f.path === 'unet/model.onnx_data');
    expect(data?.sha256).toBe('479e70b02ced4312debca3a12506ac928f80b2ce95ad48755c9c789bd8e80ac2');
    // Exact sizes where the LFS pointers state them.
    expect(xl.files.find((f) => f.path === 'unet/model.onnx_data')?.size).toBe(10269854720);
    expect(expectedBytes(xl)).toBeGreaterThan(13e9);
    expect(expectedBytes(xl)).toBeLessThan(16e9);
  });

  it('builds Hugging Face resolve URLs, or the same shape on another base', () => {
    const xl = findEntry(catalog, 'sdxl-turbo');
    const f = xl.files.find((x) => x.path === 'unet/model.onnx')!;
    expect(fileUrl(xl, f)).toBe('https://huggingface.co/stabilityai/sdxl-turbo/resolve/fbda35297a8280789ffe2e25206800702fa5c4c1/unet/model.onnx');
    expect(fileUrl(xl, f, 'http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/stabilityai/sdxl-turbo/resolve/fbda35297a8280789ffe2e25206800702fa5c4c1/unet/model.onnx');
  });

  it('an unknown id names the known ones', () => {
    expect(() => findEntry(catalog, 'sd-99')).toThrow(/no model "sd-99".*sd-turbo/);
  });
});

describe('catalogue validation', () => {
  const good = loadCatalog();

  it('rejects a path that climbs out of the model folder', () => {
    const c = clone(good);
    c.models[0]!.files[0]!.path = '../../etc/passwd';
    expect(() => parseCatalog(c)).toThrow(CatalogError);
    c.models[0]!.files[0]!.path = '/abs/model.onnx';
    expect(() => parseCatalog(c)).toThrow(/relative/);
  });

  it('rejects a malformed hash, a duplicate file, a duplicate id and a pipeline without a UNet', () => {
    const badHash = clone(good);
    badHash.models[1]!.files[0]!.sha256 = 'ABC';
    expect(() => parseCatalog(badHash)).toThrow(/sha256/);

    const dupFile = clone(good);
    dupFile.models[0]!.files.push({ ...dupFile.models[0]!.files[0]! });
    expect(() => parseCatalog(dupFile)).toThrow(/listed twice/);

    const dupId = clone(good);
    dupId.models.push(clone(good).models[0]!);
    expect(() => parseCatalog(dupId)).toThrow(/listed twice/);

    const noUnet = clone(good);
    noUnet.models[0]!.files = noUnet.models[0]!.files.filter((f) => !f.path.startsWith('unet/'));
    expect(() => parseCatalog(noUnet)).toThrow(/needs unet\/model.onnx/);
  });

  it('a missing or broken catalogue file fails in one line', () => {
    expect(() => loadCatalog(join(tmp, 'absent.json'))).toThrow(/not found/);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"type": "atelier-model-catalog", ');
    expect(() => loadCatalog(broken)).toThrow(/not valid JSON/);
    const wrong = join(tmp, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ type: 'atelier-model-catalog', version: 2, models: [] }));
    expect(() => loadCatalog(wrong)).toThrow(/invalid at version/);
  });
});
