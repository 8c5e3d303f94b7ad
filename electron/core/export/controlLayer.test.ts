import { readPsd } from 'ag-psd';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import './agPsdSetup.js';
import { inPicture, type AtelierDocument, type RasterLayer } from '../../contract/document.js';
import { packDocument, unpackDocument } from '../document/documentFile.js';
import { createRgba } from '../image/types.js';
import { compositeDocument } from '../../shared/image/composite.js';
import { buildSampleDocument, idOf, pngOf, type SampleDocument } from './fixtures/sampleDocument.js';
import { exportOra } from './oraExport.js';
import { importOra } from './oraImport.js';
import { decodePngRgba } from './pngDecode.js';
import { exportPsd } from './psdExport.js';
import { importPsd } from './psdImport.js';
import { parseXml } from './stackXml.js';

/**
 * A Control layer (issue 20: a sketch a ControlNet follows) is kept by every format but never part of the
 * picture: the sample document plus a visible, opaque, loud Control layer over everything must composite,
 * flatten and merge exactly as the sample alone, and travel hidden in PSD and ORA.
 */
let sample: SampleDocument;
let withControl: AtelierDocument;
let control: RasterLayer;
beforeAll(async () => {
  sample = await buildSampleDocument();
  const sketch = createRgba(64, 48, [255, 0, 255, 255]);
  const png = await pngOf(sketch);
  const imageId = idOf(png);
  sample.images.set(imageId, png);
  sample.pixels.set(imageId, sketch);
  control = { id: 'ctl', kind: 'raster', role: 'control', name: 'Control 1', x: 0, y: 0, width: 64, height: 48, opacity: 1, visible: true, blendMode: 'normal', imageId };
  withControl = { ...sample.document, layers: [...sample.document.layers, control] };
});

describe('Control layers in files', () => {
  it('are not part of the picture: the composite is the one without them', () => {
    expect(inPicture(control)).toBe(false);
    expect(compositeDocument(withControl, sample.pixels).data).toEqual(compositeDocument(sample.document, sample.pixels).data);
  });

  it('travel as a hidden PSD layer with their pixels; the embedded composite leaves them out; import gives them back', async () => {
    const bytes = exportPsd(withControl, sample.images, { appVersion: '0.1.0' });
    const psd = readPsd(bytes, { useImageData: true });
    const layer = psd.children!.at(-1)!;
    expect(layer).toMatchObject({ name: 'Control 1', hidden: true, left: 0, top: 0, right: 64, bottom: 48 });
    expect(Array.from(layer.imageData!.data.subarray(0, 4))).toEqual([255, 0, 255, 255]);
    expect(Buffer.from(psd.imageData!.data).equals(Buffer.from(compositeDocument(sample.document, sample.pixels).data))).toBe(true);
    const back = await importPsd(bytes);
    expect(back.document.layers.at(-1)).toMatchObject({ id: 'ctl', role: 'control', visible: true, name: 'Control 1' });
    expect(back.document.layers.filter((l) => l.kind === 'raster' && l.role === 'control')).toHaveLength(1);
  });

  it('travel as a hidden ORA layer; mergedimage leaves them out; import gives them back', async () => {
    const files = unzipSync(await exportOra(withControl, sample.images));
    const stack = parseXml(new TextDecoder().decode(files['stack.xml'])).children[0]!.children;
    expect(stack[0]!.attrs).toMatchObject({ name: 'Control 1', visibility: 'hidden' });
    expect(decodePngRgba(files[stack[0]!.attrs['src']!]!).data).toEqual(sample.pixels.get(control.imageId)!.data);
    expect(decodePngRgba(files['mergedimage.png']!).data).toEqual(compositeDocument(sample.document, sample.pixels).data);
    const back = await importOra(await exportOra(withControl, sample.images));
    expect(back.document.layers.at(-1)).toMatchObject({ id: 'ctl', role: 'control', visible: true });
  });

  it('are kept by .atelier, and documents written before them still load', async () => {
    const back = await unpackDocument(packDocument(withControl, sample.images));
    expect(back.document.layers.at(-1)).toEqual(control);
    expect(back.images.get(control.imageId)).toEqual(sample.images.get(control.imageId));
    const old = await unpackDocument(packDocument(sample.document, sample.images));
    expect(old.document.layers.some((l) => l.kind === 'raster' && l.role !== undefined)).toBe(false);
  });
});
