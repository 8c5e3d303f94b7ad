import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import './agPsdSetup.js';
import { writePsdUint8Array, type Psd } from 'ag-psd';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RasterLayer } from '../../contract/document.js';
import { compositeDocument } from '../../shared/image/composite.js';
import { buildSampleDocument, gradientImage, idOf, imageSet, pngOf, type SampleDocument } from './fixtures/sampleDocument.js';
import type { CompositeProvenance } from './flatProvenance.js';
import { parseXmpPacket } from './xmpMetadata.js';
import { decodePngGray, decodePngRgba } from './pngDecode.js';
import { estimatePsdBytes } from './exportBudget.js';
import { exportPsd } from './psdExport.js';
import { importPsd } from './psdImport.js';
import { gimpBatch, IMAGEMAGICK_CONVERT, IMAGEMAGICK_IDENTIFY, python, reportMissing } from './readerTools.testutil.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-psd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let sample: SampleDocument;
let psdPath: string;
let psdBytes: Uint8Array;
beforeAll(async () => {
  sample = await buildSampleDocument();
  psdBytes = exportPsd(sample.document, sample.images, { appVersion: '0.1.0' });
  psdPath = join(dir, 'sample.psd');
  writeFileSync(psdPath, psdBytes);
});

const PSD_TOOLS_DUMP = `
import sys, json
from psd_tools import PSDImage
p = PSDImage.open(sys.argv[1])
out = {"size": list(p.size), "layers": []}
for l in p.descendants():
    m = l.mask
    out["layers"].append({
        "name": l.name, "kind": l.kind, "offset": list(l.offset), "size": list(l.size),
        "opacity": l.opacity, "visible": l.visible, "blend": str(l.blend_mode).split(".")[-1],
        "parent": None if l.parent is p else l.parent.name,
        "mask": None if m is None else {"bbox": list(m.bbox), "background": m.background_color,
                                         "pixels": list(m.topil().getdata()) if m.width and m.height else []},
        "pixels": list(l.topil().convert("RGBA").getdata())[:64] if l.kind == "pixel" else [],
    })
out["embedded"] = [list(px) for px in p.topil().convert("RGBA").getdata()]
out["rendered"] = [list(px) for px in p.composite(force=True).convert("RGBA").getdata()]
xmp = p.image_resources.get_data(1060)
out["xmp"] = xmp.decode("utf-8") if isinstance(xmp, bytes) else (xmp or "")
print(json.dumps(out))
`;

interface Dump {
  size: number[];
  layers: { name: string; kind: string; offset: number[]; size: number[]; opacity: number; visible: boolean; blend: string; parent: string | null; mask: { bbox: number[]; background: number; pixels: number[] } | null; pixels: number[][] }[];
  embedded: number[][];
  rendered: number[][];
  xmp: string;
}

describe.skipIf(reportMissing('psdTools', 'python3-psd-tools'))('PSD export read by psd-tools', () => {
  let dump: Dump;
  beforeAll(() => {
    dump = JSON.parse(python(PSD_TOOLS_DUMP, [psdPath])) as Dump;
  });

  it('has every layer with name, kind, offset, size, opacity, visibility, blend mode and group', () => {
    expect(dump.size).toEqual([64, 48]);
    const want = sample.document.layers.map((l) => {
      const raster = l.kind === 'raster' ? (l as RasterLayer) : undefined;
      return {
        name: l.name, kind: raster ? 'pixel' : 'group', opacity: Math.round(l.opacity * 255), visible: l.visible,
        blend: l.blendMode.toUpperCase().replace('-', '_'), parent: l.parentId ? 'Shading' : null,
        ...(raster ? { offset: [raster.x, raster.y], size: [raster.width, raster.height] } : {}),
      };
    });
    expect(dump.layers).toHaveLength(7);
    dump.layers.forEach((got, i) => expect(got).toMatchObject(want[i]));
  });

  it('keeps layer pixels and the inpaint mask as a real layer mask', () => {
    const inpaint = dump.layers[2];
    expect(inpaint.mask).toMatchObject({ bbox: [20, 10, 44, 34], background: 0 });
    const maskId = (sample.document.layers[2] as RasterLayer).mask!.imageId;
    expect(inpaint.mask!.pixels).toEqual(Array.from(sample.pixels.get(maskId)!.data));
    const bg = sample.pixels.get((sample.document.layers[0] as RasterLayer).imageId)!;
    expect(dump.layers[0].pixels.slice(0, 64).flat()).toEqual(Array.from(bg.data.subarray(0, 256)));
  });

  it('embeds our composite, and psd-tools renders the layers to the same picture', () => {
    const ours = compositeDocument(sample.document, sample.pixels);
    expect(dump.embedded.flat()).toEqual(Array.from(ours.data));
    let worst = 0;
    dump.rendered.flat().forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ours.data[i]))));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('carries the document in XMP and, for this composite of several layers, no A1111 parameters but the generated layers (the flat PNG rule)', () => {
    expect(dump.xmp).toContain('atelier:document');
    // Re-running the top generated layer's settings would not give this picture (issue 12).
    expect(dump.xmp).not.toContain('exif:UserComment');
    expect(dump.xmp).not.toContain('Steps: 20');
    const composite = JSON.parse(parseXmpPacket(dump.xmp).atelier!.composite!) as CompositeProvenance;
    expect(composite.note).toMatch(/composite of 5 layers/);
    expect(composite.layers.map((l) => [l.name, l.model, l.seed, l.settings.prompt, l.x, l.y])).toEqual([
      ['Inpaint: a small wooden boat · seed 42', 'sd-turbo', 42, 'a small wooden boat', 20, 10],
    ]);
  });

  it('a PSD of one untouched generated layer carries its A1111 parameters (they reproduce the composite)', async () => {
    const { images, add } = imageSet();
    const settings = { ...(sample.document.layers[2] as RasterLayer).source!.settings!, width: 64, height: 64 };
    const boat: RasterLayer = {
      id: 'boat', kind: 'raster', name: 'boat', x: 0, y: 0, width: 64, height: 64, opacity: 1, visible: true, blendMode: 'normal',
      imageId: await add(gradientImage(64, 64, 3)), source: { historyEntryId: 'h1', model: 'sd-turbo', settings },
    };
    const path = join(dir, 'one-layer.psd');
    writeFileSync(path, exportPsd({ ...sample.document, width: 64, height: 64, layers: [boat] }, images, { appVersion: '0.1.0' }));
    const xmp = python('import sys\nfrom psd_tools import PSDImage\nsys.stdout.write(PSDImage.open(sys.argv[1]).image_resources.get_data(1060).decode("utf-8"))', [path]);
    expect(xmp).toContain('a small wooden boat');
    expect(xmp).toContain('Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42');
    expect(xmp).toContain('atelier:document');
    expect(xmp).not.toContain('atelier:composite');
  });
});

describe('PSD export read by ImageMagick', () => {
  it('lists the layers with their offsets and names, and the composite matches', async ({ skip }) => {
    if (reportMissing('imagemagick', 'imagemagick')) skip();
    const lines = execFileSync(IMAGEMAGICK_IDENTIFY, ['-format', '%w %h %X %Y %l\n', psdPath], { encoding: 'utf8' }).trim().split('\n');
    // Frame 0 is the composite; then one frame per pixel layer (groups are not frames).
    expect(lines[0]).toBe('64 48 +0 +0 ');
    expect(lines.slice(1)).toEqual(['64 48 +0 +0 Background', '30 20 -10 -6 Outpaint strip', '24 24 +20 +10 Inpaint: a small wooden boat · seed 42',
      '20 16 +40 +30 Multiply tint', '10 10 +5 +30 Hidden screen', '16 16 +50 +2 Half shadow'].map((l) => l.replace('·', '?')));
    const out = join(dir, 'composite.png');
    execFileSync(IMAGEMAGICK_CONVERT, [`${psdPath}[0]`, out]);
    const got = await sharp(readFileSync(out)).ensureAlpha().raw().toBuffer();
    expect(Buffer.compare(got, Buffer.from(compositeDocument(sample.document, sample.pixels).data))).toBe(0);
  });
});

describe('PSD export read by GIMP', () => {
  // GIMP 2.10's file-psd plug-in; its ORA plug-in is Python 2 and absent from Debian 12, so ORA is not checked here.
  it('opens every layer with name, offset, size, opacity, visibility, mode, group and mask', ({ skip }) => {
    if (reportMissing('gimp', 'gimp')) skip();
    const out = gimpBatch(`
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE "${psdPath}" "${psdPath}"))) (out "") (walk nil))
  (set! walk (lambda (layers)
    (for-each (lambda (l)
      (let* ((off (gimp-drawable-offsets l)))
        (set! out (string-append out "LAYER|" (car (gimp-item-get-name l)) "|" (number->string (car off)) "|" (number->string (cadr off)) "|"
          (number->string (car (gimp-drawable-width l))) "x" (number->string (car (gimp-drawable-height l))) "|"
          (number->string (round (car (gimp-layer-get-opacity l)))) "|" (number->string (car (gimp-item-get-visible l))) "|"
          (number->string (car (gimp-layer-get-mode l))) "|" (if (= (car (gimp-layer-get-mask l)) -1) "nomask" "mask") "\n"))
        (if (= (car (gimp-item-is-group l)) 1) (walk (vector->list (cadr (gimp-item-get-children l)))))))
      layers)))
  (walk (vector->list (cadr (gimp-image-get-layers img))))
  (gimp-message out))`);
    const layers = out.split('\n').map((l) => l.slice(l.indexOf('LAYER|'))).filter((l) => l.startsWith('LAYER|'));
    // GIMP lists top first; modes: 28 normal, 30 multiply, 31 screen (GIMP 2.10 layer modes).
    expect(layers).toEqual([
      'LAYER|Half shadow|50|2|16x16|50.0|1|28|nomask',
      'LAYER|Hidden screen|5|30|10x10|100.0|0|31|nomask',
      'LAYER|Shading|40|30|20x16|100.0|1|28|nomask',
      'LAYER|Multiply tint|40|30|20x16|100.0|1|30|nomask',
      'LAYER|Inpaint: a small wooden boat · seed 42|20|10|24x24|100.0|1|28|mask',
      'LAYER|Outpaint strip|-10|-6|30x20|100.0|1|28|nomask',
      'LAYER|Background|0|0|64x48|100.0|1|28|nomask',
    ]);
  });
});

describe('PSD export memory discipline', () => {
  it('decodes each image once for the composite (hidden layers skip it) and once for ag-psd, in one pass', () => {
    let stats: { decodes: number; secondPass: boolean } | undefined;
    exportPsd(sample.document, sample.images, { onStats: (s) => (stats = s) });
    const hidden = sample.document.layers.filter((l) => l.kind === 'raster' && !l.visible).length;
    expect(stats).toEqual({ decodes: 2 * sample.images.size - hidden, secondPass: false });
  });

  it('the size bound the writer starts from holds even for incompressible noise', async () => {
    const noise = new Uint8Array(300 * 200 * 4).map((_, i) => (i * 2654435761) >>> 24);
    const png = await pngOf({ width: 300, height: 200, data: noise });
    const id = idOf(png);
    const doc = { ...sample.document, width: 300, height: 200, layers: [{ ...(sample.document.layers[0] as RasterLayer), width: 300, height: 200, imageId: id }] };
    const bytes = exportPsd(doc, new Map([[id, png]]));
    expect(bytes.length).toBeLessThanOrEqual(estimatePsdBytes(doc, 20_000));
    expect(bytes.buffer.byteLength).toBeLessThan(bytes.length * 1.34); // no large hidden slack handed back
  });
});

describe('PSD import', () => {
  it('round-trips our export: every layer, id, name, position, mask, source and pixel', async () => {
    const back = await importPsd(psdBytes);
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

  it('imports what it can from features Atelier lacks, with ONE warning naming them', async () => {
    const px = (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(200) });
    const psd = {
      width: 16, height: 16, children: [
        { name: 'base', imageData: px(16, 16) },
        { name: 'words', imageData: px(8, 4), text: { text: 'hi', transform: [1, 0, 0, 1, 2, 2] } },
        { name: 'bright', adjustment: { type: 'brightness/contrast', brightness: 10, contrast: 0 } },
        { name: 'fx', imageData: px(4, 4), effects: { dropShadow: [{ enabled: true, size: { units: 'Pixels', value: 3 } }] } },
        { name: 'clip', imageData: px(4, 4), clipping: true, blendMode: 'linear burn' },
      ],
    } as unknown as Psd;
    const r = await importPsd(writePsdUint8Array(psd, { noBackground: true }));
    expect(r.document.layers.map((l) => l.name)).toEqual(['base', 'words', 'fx', 'clip']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^Some parts of this PSD could not be kept exactly: /);
    for (const part of ['1 text layer imported as pixels', '1 adjustment layer skipped', '1 layer effect dropped', '"linear burn" set to normal', '1 clipping mask dropped']) {
      expect(r.warnings[0]).toContain(part);
    }
  });

  it('16-bit and CMYK (8/16-bit) files written by ImageMagick import with one warning; Lab is refused in one line', async ({ skip }) => {
    if (reportMissing('imagemagick', 'imagemagick')) skip();
    const lab = Uint8Array.from(psdBytes);
    lab[25] = 9; // header colour mode: Lab
    await expect(importPsd(lab, { label: '"lab.psd"' })).rejects.toThrow(
      /^"lab\.psd" uses Lab colour, which Atelier cannot open; convert it to RGB first$/,
    );
    const cmykWarning = /CMYK file imported as one flattened RGB layer/;
    const cases: [string, string[], RegExp][] = [
      ['deep.psd', ['-size', '20x10', 'gradient:red-blue', '-depth', '16'], /16-bit colour reduced to 8-bit/],
      ['cmyk8.psd', ['-size', '20x10', 'gradient:red-blue', '-depth', '8', '-colorspace', 'CMYK'], cmykWarning],
      ['cmyk16.psd', ['-size', '20x10', 'gradient:red-blue', '-colorspace', 'CMYK'], cmykWarning],
      ['cmyk-raw.psd', ['-size', '20x10', 'gradient:red-blue', '-depth', '8', '-colorspace', 'CMYK', '-compress', 'None'], cmykWarning],
    ];
    for (const [name, args, warning] of cases) {
      const path = join(dir, name);
      execFileSync(IMAGEMAGICK_CONVERT, [...args, path]);
      const r = await importPsd(readFileSync(path), { name });
      expect(r.warnings, name).toHaveLength(1);
      expect(r.warnings[0]).toMatch(warning);
      expect(r.document.width).toBe(20);
      const first = r.document.layers[0] as RasterLayer;
      const pixels = decodePngRgba(r.images.get(first.imageId)!);
      expect(pixels.data[0], name).toBeGreaterThan(200); // red end of the gradient
      expect(pixels.data[2], name).toBeLessThan(60);
    }
  });

  it('a flattened PSD (no layers) imports its composite as the background', async () => {
    const data = new Uint8ClampedArray(4 * 3 * 4).fill(255);
    data[0] = 7;
    const r = await importPsd(writePsdUint8Array({ width: 4, height: 3, imageData: { width: 4, height: 3, data } }));
    expect(r.document.layers).toHaveLength(1);
    expect(r.document.layers[0].name).toBe('Background');
    expect(decodePngRgba(r.images.get((r.document.layers[0] as RasterLayer).imageId)!).data[0]).toBe(7);
  });

  it('refuses non-PSD, truncated and oversized files with one-line errors', async () => {
    await expect(importPsd(Buffer.from('hello world, not a psd at all'), { label: '"x.psd"' })).rejects.toThrow(/^"x\.psd" is not a PSD file/);
    await expect(importPsd(psdBytes.subarray(0, 200))).rejects.toThrow(/^the file is (not a readable PSD file|damaged)/);
    const huge = Uint8Array.from(psdBytes);
    new DataView(huge.buffer).setUint32(14, 40000); // header height
    await expect(importPsd(huge)).rejects.toThrow(/Atelier opens documents up to 16384x16384|not a readable PSD/);
  });
});
