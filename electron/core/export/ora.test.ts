import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RasterLayer } from '../../contract/document.js';
import { applyMaskToAlpha, compositeDocument } from '../../shared/image/composite.js';
import { buildSampleDocument, gradientImage, pngOf, type SampleDocument } from './fixtures/sampleDocument.js';
import { exportOra } from './oraExport.js';
import { importOra } from './oraImport.js';
import { decodePngGray, decodePngRgba } from './pngDecode.js';
import { python, reportMissing } from './readerTools.testutil.js';
import { parseXml } from './stackXml.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-ora-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let sample: SampleDocument;
let ora: Uint8Array;
let files: Record<string, Uint8Array>;
beforeAll(async () => {
  sample = await buildSampleDocument();
  ora = await exportOra(sample.document, sample.images);
  files = unzipSync(ora);
});

describe('OpenRaster export', () => {
  it('starts with an uncompressed mimetype entry, no extra field (the ORA magic)', () => {
    const view = new DataView(ora.buffer, ora.byteOffset);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    expect(view.getUint16(8, true)).toBe(0); // stored
    expect(view.getUint16(26, true)).toBe(8); // name length
    expect(view.getUint16(28, true)).toBe(0); // extra length
    expect(Buffer.from(ora.subarray(30, 38 + 16)).toString('latin1')).toBe('mimetypeimage/openraster');
    for (const name of ['stack.xml', 'mergedimage.png', 'Thumbnails/thumbnail.png']) expect(files[name], name).toBeDefined();
  });

  it('stack.xml lists layers top first with positions, opacity, visibility, composite-op and the group as a stack', () => {
    const image = parseXml(new TextDecoder().decode(files['stack.xml']));
    expect(image.attrs).toMatchObject({ w: '64', h: '48' });
    const top = image.children[0].children;
    expect(top.map((e) => [e.name, e.attrs['name']])).toEqual([
      ['layer', 'Half shadow'], ['layer', 'Hidden screen'], ['stack', 'Shading'], ['layer', 'Inpaint: a small wooden boat · seed 42'],
      ['layer', 'Outpaint strip'], ['layer', 'Background'],
    ]);
    expect(top[0].attrs).toMatchObject({ x: '50', y: '2', opacity: '0.5', visibility: 'visible', 'composite-op': 'svg:src-over' });
    expect(top[1].attrs).toMatchObject({ visibility: 'hidden', 'composite-op': 'svg:screen' });
    expect(top[2].children[0].attrs).toMatchObject({ name: 'Multiply tint', x: '40', y: '30', 'composite-op': 'svg:multiply' });
    expect(top[4].attrs).toMatchObject({ x: '-10', y: '-6' });
  });

  it('bakes the mask into the layer alpha; merged image is our composite; thumbnail fits 256', async () => {
    const image = parseXml(new TextDecoder().decode(files['stack.xml']));
    const inpaintSrc = image.children[0].children[3].attrs['src'];
    const inpaint = sample.document.layers[2] as RasterLayer;
    expect(decodePngRgba(files[inpaintSrc]).data).toEqual(applyMaskToAlpha(inpaint, sample.pixels).data);
    expect(decodePngRgba(files['mergedimage.png']).data).toEqual(compositeDocument(sample.document, sample.pixels).data);
    const thumb = await sharp(files['Thumbnails/thumbnail.png']).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBeLessThanOrEqual(256);
  });

  it('an independent reader (Python zipfile + ElementTree + Pillow) composes the same picture', ({ skip }) => {
    if (reportMissing('pillow', 'python3-pil')) skip();
    const path = join(dir, 'sample.ora');
    writeFileSync(path, ora);
    // Straight src-over of the visible normal layers, done by Pillow from stack.xml alone.
    const out = python(
      [
        'import sys, zipfile, io, json', 'import xml.etree.ElementTree as ET', 'from PIL import Image',
        'z = zipfile.ZipFile(sys.argv[1])', 'assert z.namelist()[0] == "mimetype" and z.getinfo("mimetype").compress_type == 0',
        'root = ET.fromstring(z.read("stack.xml"))', 'w, h = int(root.get("w")), int(root.get("h"))',
        'canvas = Image.new("RGBA", (w, h))', 'names = []',
        'def walk(stack, parent_visible):',
        '    for el in reversed(list(stack)):',
        '        names.append(el.get("name"))',
        '        vis = parent_visible and el.get("visibility") != "hidden"',
        '        if el.tag == "stack": walk(el, vis); continue',
        '        if not vis or el.get("composite-op") != "svg:src-over": continue',
        '        im = Image.open(io.BytesIO(z.read(el.get("src")))).convert("RGBA")',
        '        a = im.getchannel("A").point(lambda v: round(v * float(el.get("opacity"))))', '        im.putalpha(a)',
        '        layer = Image.new("RGBA", (w, h)); layer.paste(im, (int(el.get("x")), int(el.get("y"))))',
        '        canvas.alpha_composite(layer)',
        'walk(root.find("stack"), True)',
        'print(json.dumps({"names": names, "px": list(canvas.getpixel((22, 12))) + list(canvas.getpixel((52, 4)))}))',
      ].join('\n'),
      [path],
    );
    const got = JSON.parse(out) as { names: string[]; px: number[] };
    expect(got.names).toEqual(sample.document.layers.map((l) => l.name));
    const ours = compositeDocument(sample.document, sample.pixels);
    const at = (x: number, y: number) => Array.from(ours.data.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 4));
    // (22,12): inpaint over the background; (52,4): half-opacity black over the background.
    const diff = [...at(22, 12), ...at(52, 4)].map((v, i) => Math.abs(v - got.px[i]));
    expect(Math.max(...diff)).toBeLessThanOrEqual(1);
  });
});

describe('OpenRaster import', () => {
  it('round-trips our export: ids, names, positions, masks (unbaked), sources and pixels', async () => {
    const back = await importOra(ora);
    expect(back.warnings).toEqual([]);
    const strip = (l: (typeof back.document.layers)[number]) => {
      const { imageId: _i, mask, ...rest } = l as RasterLayer;
      return mask ? { ...rest, mask: { ...mask, imageId: 'x' } } : rest;
    };
    expect(back.document.layers.map(strip)).toEqual(sample.document.layers.map(strip));
    expect({ ...back.document, layers: [] }).toEqual({ ...sample.document, layers: [] });
    for (const [i, layer] of back.document.layers.entries()) {
      if (layer.kind !== 'raster') continue;
      const original = sample.document.layers[i] as RasterLayer;
      expect(decodePngRgba(back.images.get(layer.imageId)!).data).toEqual(sample.pixels.get(original.imageId)!.data);
      if (layer.mask) expect(decodePngGray(back.images.get(layer.mask.imageId)!).data).toEqual(sample.pixels.get(original.mask!.imageId)!.data);
    }
  });

  it('a file edited elsewhere: changed pixels win over our saved copy, moved layers keep their new place', async () => {
    const image = new TextDecoder().decode(files['stack.xml']).replace('x="50" y="2"', 'x="51" y="3"');
    const inpaintSrc = parseXml(new TextDecoder().decode(files['stack.xml'])).children[0].children[3].attrs['src'];
    const repainted = await pngOf(gradientImage(24, 24, 3));
    const edited = zipSync({ ...files, 'stack.xml': strToU8(image), [inpaintSrc]: repainted });
    const back = await importOra(edited);
    const half = back.document.layers.find((l) => l.name === 'Half shadow') as RasterLayer;
    expect([half.id, half.x, half.y]).toEqual(['half', 51, 3]);
    const inpaint = back.document.layers.find((l) => l.name.startsWith('Inpaint')) as RasterLayer;
    expect(inpaint.mask).toBeUndefined(); // the other app's pixels, not our unmasked copy
    expect(decodePngRgba(back.images.get(inpaint.imageId)!).data).toEqual(gradientImage(24, 24, 3).data);
  });

  it('reads a plain ORA from another app (no atelier/ folder), warning once about what it skips', async () => {
    const red = await pngOf(gradientImage(8, 8, 1));
    const stack = `<?xml version="1.0"?><image w="10" h="10"><stack>
      <text name="caption" x="0" y="0"/>
      <layer name="top" src="data/a.png" x="2" y="-1" opacity="0.25" composite-op="svg:hue"/>
      <stack name="folder" visibility="hidden"><layer name="inner" src="data/a.png"/></stack>
      <layer name="vector" src="data/b.svg"/>
    </stack></image>`;
    const bytes = zipSync({ mimetype: [strToU8('image/openraster'), { level: 0 }], 'stack.xml': strToU8(stack), 'data/a.png': red, 'data/b.svg': strToU8('<svg/>') });
    const r = await importOra(bytes, { name: 'plain' });
    expect(r.document.layers.map((l) => [l.name, l.kind, l.parentId ?? null, l.visible])).toEqual([
      ['folder', 'group', null, false], ['inner', 'raster', r.document.layers[0].id, true], ['top', 'raster', null, true],
    ]);
    expect(r.document.layers[2]).toMatchObject({ x: 2, y: -1, opacity: 0.25, blendMode: 'normal' });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('1 <text> element skipped');
    expect(r.warnings[0]).toContain('"svg:hue" set to normal');
    expect(r.warnings[0]).toContain('layer without a PNG source skipped');
  });

  it('refuses broken files in one line', async () => {
    await expect(importOra(Buffer.from('not a zip'), { label: '"a.ora"' })).rejects.toThrow(/^"a\.ora" is not a readable OpenRaster file/);
    await expect(importOra(zipSync({ 'x.txt': strToU8('hi') }))).rejects.toThrow(/no stack\.xml/);
    await expect(importOra(zipSync({ 'stack.xml': strToU8('<image w="10" h="10"><stack>') }))).rejects.toThrow(/stack\.xml: <stack> is not closed/);
    await expect(importOra(zipSync({ 'stack.xml': strToU8('<image w="99999" h="10"><stack/></image>') }))).rejects.toThrow(/up to 16384x16384/);
    await expect(importOra(ora.subarray(0, ora.length >> 1))).rejects.toThrow(/^the file (is not a readable OpenRaster file|is damaged)/);
  });
});
