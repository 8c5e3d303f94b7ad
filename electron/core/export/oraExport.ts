import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { DocumentSchema, type AtelierDocument, type BlendMode, type RasterLayer } from '../../contract/document.js';
import { inPicture } from '../../contract/document.js';
import { applyMaskToAlpha, compositeDocument } from '../../shared/image/composite.js';
import { DecodedImages } from './decodedImages.js';
import { buildLayerTree, type LayerNode } from '../../shared/image/layerTree.js';
import { zipEntries, type ZipEntry } from './safeZip.js';
import { writeElement, type XmlElement } from './stackXml.js';
import { UserError } from '../../shared/userError.js';

/**
 * OpenRaster export (Krita, GIMP, MyPaint read it): `mimetype` stored first, `stack.xml`, `data/*.png`,
 * `mergedimage.png`, `Thumbnails/thumbnail.png`. ORA has no layer masks, so a masked layer's PNG has
 * its mask multiplied into alpha. For a lossless round trip through Atelier the file also carries
 * `atelier/document.json`, `atelier/layers.json` and the unmasked pixels and masks under
 * `atelier/images/`; other apps ignore that folder.
 */

export const ORA_MIMETYPE = 'image/openraster';
export const ORA_THUMBNAIL_MAX = 256;

export class OraExportError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export const toOraCompositeOp = (mode: BlendMode): string => (mode === 'normal' ? 'svg:src-over' : `svg:${mode}`);

/** One line of atelier/layers.json: which stack element is which of our layers. */
export interface OraLayerLink {
  /** Position of the element in document order of stack.xml (0 = first <layer>/<stack> written). */
  index: number;
  id: string;
  kind: 'raster' | 'group';
  name: string;
  /** sha256 of the data/ PNG as written: if another app changed the pixels, the link is not trusted. */
  sha256?: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const num = (v: number): string => String(Math.round(v * 10000) / 10000);

export interface OraExportOptions {
  appVersion?: string;
}

export async function exportOra(doc: AtelierDocument, images: ReadonlyMap<string, Uint8Array>, _options: OraExportOptions = {}): Promise<Uint8Array> {
  const parsed = DocumentSchema.safeParse(doc);
  if (!parsed.success) throw new OraExportError(`cannot export: the document is not valid (${parsed.error.issues[0].message})`);
  const pixels = new DecodedImages(doc, images, 2);
  const data: ZipEntry[] = [];
  const extra: ZipEntry[] = [];
  const links: OraLayerLink[] = [];
  let index = 0;

  const element = async (node: LayerNode): Promise<XmlElement> => {
    const layer = node.layer;
    const common = {
      name: layer.name,
      opacity: num(layer.opacity),
      visibility: inPicture(layer) ? 'visible' : 'hidden', // Control layers travel hidden
      'composite-op': toOraCompositeOp(layer.blendMode),
    };
    const myIndex = index++;
    if (node.children) {
      links.push({ index: myIndex, id: layer.id, kind: 'group', name: layer.name });
      // ORA lists the top of the stack first; our list is bottom to top.
      const children: XmlElement[] = [];
      for (const child of [...node.children].reverse()) children.push(await element(child));
      return { name: 'stack', attrs: { ...common, isolation: 'isolate' }, children };
    }
    const raster = layer as RasterLayer;
    let png = images.get(raster.imageId);
    if (!png) throw new OraExportError(`layer "${raster.name}": its image is missing`);
    if (raster.mask) {
      const masked = applyMaskToAlpha(raster, pixels);
      png = new Uint8Array(await sharp(masked.data, { raw: { width: masked.width, height: masked.height, channels: 4 } }).png().toBuffer());
      for (const id of [raster.imageId, raster.mask.imageId]) {
        if (!extra.some((e) => e.name === `atelier/images/${id}.png`)) extra.push({ name: `atelier/images/${id}.png`, data: images.get(id)!, store: true });
      }
    }
    const src = `data/layer${myIndex}.png`;
    data.push({ name: src, data: png, store: true });
    links.push({ index: myIndex, id: raster.id, kind: 'raster', name: raster.name, sha256: sha256(png) });
    return { name: 'layer', attrs: { ...common, src, x: String(raster.x), y: String(raster.y) }, children: [] };
  };

  const top: XmlElement[] = [];
  for (const node of buildLayerTree(doc.layers).reverse()) top.push(await element(node));
  const stackXml = `<?xml version="1.0" encoding="UTF-8"?>\n${writeElement({
    name: 'image',
    attrs: { version: '0.0.6', w: String(doc.width), h: String(doc.height), xres: '72', yres: '72' },
    children: [{ name: 'stack', attrs: {}, children: top }],
  })}\n`;

  const composite = compositeDocument(doc, pixels);
  const raw = () => sharp(composite.data, { raw: { width: composite.width, height: composite.height, channels: 4 } });
  const merged = await raw().png().toBuffer();
  const thumbnail = await raw().resize(ORA_THUMBNAIL_MAX, ORA_THUMBNAIL_MAX, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
  const encoder = new TextEncoder();
  return zipEntries([
    { name: 'mimetype', data: encoder.encode(ORA_MIMETYPE), store: true },
    { name: 'stack.xml', data: encoder.encode(stackXml) },
    ...data,
    { name: 'mergedimage.png', data: merged, store: true },
    { name: 'Thumbnails/thumbnail.png', data: thumbnail, store: true },
    { name: 'atelier/document.json', data: encoder.encode(JSON.stringify(doc)) },
    { name: 'atelier/layers.json', data: encoder.encode(JSON.stringify(links)) },
    ...extra,
  ]);
}
