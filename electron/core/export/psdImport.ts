import { randomUUID } from 'node:crypto';
import {
  getCompositeImageData,
  getLayerImageData,
  getLayerMaskImageData,
  readPsd,
  type Layer as PsdLayer,
  type PixelData,
  type Psd,
} from 'ag-psd';
import {
  BLEND_MODES,
  DOCUMENT_TYPE,
  DOCUMENT_VERSION,
  DocumentSchema,
  MAX_IMAGE_SIDE,
  type AtelierDocument,
  type BlendMode,
  type Layer,
  type LayerMask,
} from '../../contract/document.js';
import { createGray, createRgba, type GrayImage, type RgbaImage } from '../image/types.js';
import './agPsdSetup.js';
import { controlRole, ImportedImages, ImportWarnings, namingTheFile, type DocumentImportOptions, type ImportedDocument } from './importedImages.js';
import { readCmykComposite } from './psdFlatComposite.js';
import { parseXmpPacket } from './xmpMetadata.js';
import { UserError } from '../../shared/userError.js';

/**
 * PSD import with ag-psd: structure first (`useRawData`), then each layer's pixels decoded, checked
 * and encoded to PNG one at a time. What Atelier cannot represent is imported as closely as it can and
 * listed in one warning. A PSD written by exportPsd gets its layer ids, sources, frame and history back
 * from the XMP packet.
 */

export const IMPORT_MAX_SIDE = MAX_IMAGE_SIDE;
const MAX_LAYERS = 5000;
// PSD colour modes (ag-psd's ColorMode is a const enum, so spelled out). ag-psd reads these four.
const READABLE_MODES: Record<number, string | undefined> = { 0: 'bitmap', 1: 'grayscale', 2: 'indexed', 3: 'RGB' };
const MODE_NAMES: Record<number, string> = { 7: 'multichannel', 8: 'duotone', 9: 'Lab' };

export class PsdImportError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

const OURS = new Set<string>(BLEND_MODES);

function blendModeOf(mode: string | undefined, warnings: ImportWarnings): BlendMode {
  if (!mode || mode === 'pass through') return 'normal';
  const ours = mode.replace(' ', '-');
  if (OURS.has(ours)) return ours as BlendMode;
  warnings.count(`layer with blend mode "${mode}" set to normal`, `layers with blend modes Atelier lacks set to normal`);
  return 'normal';
}

/** 8-bit RGBA from ag-psd pixel data of any depth (16-bit: nearest 8-bit value; 32-bit: linear → sRGB). */
function toRgba8(p: PixelData): Uint8Array {
  const d = p.data;
  if (d instanceof Uint8Array || d instanceof Uint8ClampedArray) return new Uint8Array(d.buffer, d.byteOffset, d.length);
  const out = new Uint8Array(d.length);
  if (d instanceof Uint16Array) {
    for (let i = 0; i < d.length; i++) out[i] = Math.round(d[i] / 257);
  } else {
    for (let i = 0; i < d.length; i++) {
      const v = Math.min(1, Math.max(0, d[i]));
      const srgb = (i & 3) === 3 ? v : v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
      out[i] = Math.round(srgb * 255);
    }
  }
  return out;
}

interface SavedIds {
  doc?: AtelierDocument;
  /** PSD layer id → our layer as saved. */
  byPsdId: Map<number, Layer>;
}

function savedFromXmp(xmp: string | undefined): SavedIds {
  const byPsdId = new Map<number, Layer>();
  if (!xmp) return { byPsdId };
  const fields = parseXmpPacket(xmp).atelier ?? {};
  let doc: AtelierDocument | undefined;
  try {
    const parsed = DocumentSchema.safeParse(JSON.parse(fields['document'] ?? 'null'));
    doc = parsed.success ? parsed.data : undefined;
    const pairs: unknown = JSON.parse(fields['layerIds'] ?? '[]');
    if (doc && Array.isArray(pairs)) {
      const layers = new Map(doc.layers.map((l) => [l.id, l]));
      for (const pair of pairs) {
        if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'number') continue;
        const layer = layers.get(pair[0]);
        if (layer) byPsdId.set(pair[1], layer);
      }
    }
  } catch {
    /* XMP from elsewhere or damaged: import without it */
  }
  return { doc, byPsdId };
}

/**
 * ag-psd allocates a layer's full bitmap before it reads the channel data, so a damaged file could claim
 * a huge layer with no data behind it. Refuse channel data too short to fill the declared size.
 */
function channelDataPlausible(p: PsdLayer, width: number, height: number, maskChannel: boolean): boolean {
  const raw = p.rawData;
  if (!raw) return true;
  const bytesPerSample = Math.max(1, raw.bitsPerChannel / 8);
  for (const c of raw.channels) {
    const isMask = c.id === -2 || c.id === -3;
    if (isMask !== maskChannel || !c.data) continue;
    const n = c.data.byteLength;
    const need =
      c.compression === 0 ? width * height * bytesPerSample :
      c.compression === 1 ? height * 2 + height * 2 * Math.ceil(width / 128) : // byte counts + shortest PackBits rows
      (width * height * bytesPerSample) / 1100; // deflate cannot compress better than ~1032:1
    if (n < need) return false;
  }
  return true;
}

class PsdLayerReader {
  readonly layers: Layer[] = [];
  readonly images = new ImportedImages();
  readonly warnings = new ImportWarnings();
  private readonly usedIds = new Set<string>();
  private seen = 0;
  /** Layers with at least one pixel (Photoshop files always hold one layer record, maybe empty). */
  pixelLayers = 0;

  constructor(private readonly saved: SavedIds) {}

  private idFor(psdLayer: PsdLayer, kind: Layer['kind']): { id: string; saved?: Layer } {
    const saved = psdLayer.id !== undefined ? this.saved.byPsdId.get(psdLayer.id) : undefined;
    let id = saved && saved.kind === kind && !this.usedIds.has(saved.id) ? saved.id : undefined;
    if (!id) {
      let n = this.usedIds.size + 1;
      while (this.usedIds.has(`psd-${n}`)) n++;
      id = `psd-${n}`;
    }
    this.usedIds.add(id);
    return { id, saved: saved && saved.id === id ? saved : undefined };
  }

  private fits(w: number, h: number): boolean {
    return w >= 0 && h >= 0 && w <= IMPORT_MAX_SIDE && h <= IMPORT_MAX_SIDE;
  }

  async readAll(children: PsdLayer[] | undefined, parentId: string | undefined): Promise<void> {
    for (const child of children ?? []) {
      if (++this.seen > MAX_LAYERS) throw new PsdImportError(`has more than ${MAX_LAYERS} layers`);
      await this.read(child, parentId);
    }
  }

  private async read(p: PsdLayer, parentId: string | undefined): Promise<void> {
    const w = this.warnings;
    const name = (p.name ?? '').slice(0, 255);
    const common = {
      name,
      opacity: Math.min(1, Math.max(0, Number.isFinite(p.opacity) ? (p.opacity as number) : 1)),
      visible: !p.hidden,
      blendMode: blendModeOf(p.blendMode, w),
      ...(parentId !== undefined ? { parentId } : {}),
    };
    if (p.children) {
      const { id, saved } = this.idFor(p, 'group');
      if (saved && Math.round(saved.opacity * 255) === Math.round(common.opacity * 255)) common.opacity = saved.opacity;
      this.layers.push({ ...common, id, kind: 'group' });
      await this.readAll(p.children, id);
      return;
    }
    if (p.adjustment) {
      w.count('adjustment layer skipped', 'adjustment layers skipped');
      return;
    }
    if (p.text) w.count('text layer imported as pixels', 'text layers imported as pixels');
    if (p.placedLayer) w.count('smart object imported as pixels', 'smart objects imported as pixels');
    if (p.effects && Object.values(p.effects).some((e) => e && typeof e === 'object')) {
      w.count('layer effect dropped', 'layers lost their effects (shadows, strokes…)');
    }
    if (p.clipping) w.count('clipping mask dropped', 'clipping masks dropped');
    if (p.vectorMask) w.count('vector mask dropped', 'vector masks dropped');
    const left = p.left ?? 0, top = p.top ?? 0;
    const width = (p.right ?? left) - left, height = (p.bottom ?? top) - top;
    if (!this.fits(width, height)) {
      w.count(`layer larger than ${IMPORT_MAX_SIDE} px skipped`, `layers larger than ${IMPORT_MAX_SIDE} px skipped`);
      return;
    }
    let pixels: RgbaImage;
    if (width > 0 && height > 0) {
      if (!channelDataPlausible(p, width, height, false)) throw new PsdImportError(`is damaged (layer "${name}" has too little pixel data)`);
      const data = getLayerImageData(p);
      pixels = data ? { width, height, data: toRgba8(data) } : createRgba(width, height);
      if (pixels.data.length !== width * height * 4) throw new PsdImportError(`layer "${name}" has damaged pixel data`);
    } else {
      pixels = createRgba(1, 1); // Photoshop's empty layers: keep them (and their names) as one clear pixel
    }
    if (width > 0 && height > 0) this.pixelLayers++;
    const { id, saved } = this.idFor(p, 'raster');
    const imageId = await this.images.add(pixels);
    const mask = await this.readMask(p);
    // PSD keeps opacity in 8 bits: give back the exact value we saved when it rounds to the same byte.
    if (saved && Math.round(saved.opacity * 255) === Math.round(common.opacity * 255)) common.opacity = saved.opacity;
    const layer: Layer = {
      ...common, id, kind: 'raster', x: left, y: top, width: pixels.width, height: pixels.height, imageId,
      ...(mask ? { mask } : {}),
      ...(saved?.kind === 'raster' && saved.source ? { source: saved.source } : {}),
      ...(saved?.kind === 'raster' ? controlRole(saved) : {}),
    };
    this.layers.push(layer);
  }

  private async readMask(p: PsdLayer): Promise<LayerMask | undefined> {
    const m = p.mask;
    if (!m) return undefined;
    if (m.disabled) {
      this.warnings.count('disabled layer mask dropped', 'disabled layer masks dropped');
      return undefined;
    }
    const left = m.left ?? 0, top = m.top ?? 0;
    const width = (m.right ?? left) - left, height = (m.bottom ?? top) - top;
    const outside = Math.min(255, Math.max(0, m.defaultColor ?? 0));
    if (!this.fits(width, height)) {
      this.warnings.count('oversized layer mask dropped', 'oversized layer masks dropped');
      return undefined;
    }
    if (width > 0 && height > 0 && !channelDataPlausible(p, width, height, true)) {
      throw new PsdImportError(`is damaged (a layer mask has too little data)`);
    }
    const data = width > 0 && height > 0 ? getLayerMaskImageData(p) : undefined;
    let gray: GrayImage = createGray(Math.max(1, width), Math.max(1, height), outside);
    if (data) {
      const rgba = toRgba8(data);
      for (let i = 0; i < gray.data.length; i++) gray.data[i] = rgba[i * 4];
    }
    let rect = { x: left, y: top, width: gray.width, height: gray.height };
    if (outside !== 0) {
      // Our masks hide outside their rectangle; a PSD mask that shows outside is widened to the layer.
      const lx = p.left ?? 0, ly = p.top ?? 0, lw = (p.right ?? lx) - lx, lh = (p.bottom ?? ly) - ly;
      const x0 = Math.min(rect.x, lx), y0 = Math.min(rect.y, ly);
      const x1 = Math.max(rect.x + rect.width, lx + lw), y1 = Math.max(rect.y + rect.height, ly + lh);
      if (x1 - x0 > IMPORT_MAX_SIDE || y1 - y0 > IMPORT_MAX_SIDE) return undefined;
      const wide = createGray(x1 - x0, y1 - y0, outside);
      if (data) {
        for (let y = 0; y < gray.height; y++) {
          wide.data.set(gray.data.subarray(y * gray.width, (y + 1) * gray.width), (y + rect.y - y0) * wide.width + (rect.x - x0));
        }
      }
      gray = wide;
      rect = { x: x0, y: y0, width: wide.width, height: wide.height };
    }
    return { imageId: await this.images.add(gray), ...rect };
  }
}

function readStructure(bytes: Uint8Array, composite: boolean): Psd {
  try {
    return readPsd(bytes, {
      useRawData: true, useImageData: true, useRawThumbnail: true, skipThumbnail: true, skipLinkedFilesData: true,
      // ag-psd cannot decode every composite (CMYK); it is only needed for files without layers.
      skipCompositeImageData: !composite,
    });
  } catch (e) {
    throw new PsdImportError(`is not a readable PSD file (${(e as Error).message || 'damaged data'})`);
  }
}

/** ag-psd cannot read CMYK: take the merged image alone, as one RGB layer, and say so. */
async function importCmykFlattened(bytes: Uint8Array, options: DocumentImportOptions): Promise<ImportedDocument> {
  let image: RgbaImage;
  try {
    image = readCmykComposite(bytes);
  } catch (e) {
    throw new PsdImportError((e as Error).message);
  }
  const images = new ImportedImages();
  const imageId = await images.add(image);
  const warnings = new ImportWarnings();
  warnings.note('CMYK file imported as one flattened RGB layer (its layers merged, colours converted without a colour profile)');
  const document: AtelierDocument = {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: randomUUID(), name: (options.name ?? 'Imported PSD').slice(0, 255),
    width: image.width, height: image.height,
    layers: [{ id: 'psd-1', kind: 'raster', name: 'Background', x: 0, y: 0, width: image.width, height: image.height, opacity: 1, visible: true, blendMode: 'normal', imageId }],
    generationFrame: { x: 0, y: 0, width: image.width, height: image.height }, historyEntryIds: [],
  };
  return { document, images: images.images, warnings: warnings.messages('PSD') };
}

/** Throws PsdImportError with a one-line message such as `"boat.psd" is not a readable PSD file (…)`. */
export async function importPsd(bytes: Uint8Array, options: DocumentImportOptions = {}): Promise<ImportedDocument> {
  return namingTheFile(options, () => importPsdUnlabelled(bytes, options), (e, label) => (e instanceof PsdImportError ? new PsdImportError(`${label} ${e.message}`) : undefined));
}

async function importPsdUnlabelled(bytes: Uint8Array, options: DocumentImportOptions): Promise<ImportedDocument> {
  if (bytes.length < 26 || String.fromCharCode(...bytes.subarray(0, 4)) !== '8BPS') {
    throw new PsdImportError('is not a PSD file (the 8BPS signature is missing)');
  }
  const colorMode = (bytes[24] << 8) | bytes[25];
  if (colorMode === 4) return importCmykFlattened(bytes, options);
  if (!READABLE_MODES[colorMode]) {
    throw new PsdImportError(
      `uses ${MODE_NAMES[colorMode] ?? `colour mode ${colorMode}`} colour, which Atelier cannot open; convert it to RGB first`,
    );
  }
  const psd = readStructure(bytes, false);
  if (!(psd.width >= 1 && psd.height >= 1 && psd.width <= IMPORT_MAX_SIDE && psd.height <= IMPORT_MAX_SIDE)) {
    throw new PsdImportError(`is ${psd.width}x${psd.height}; Atelier opens documents up to ${IMPORT_MAX_SIDE}x${IMPORT_MAX_SIDE}`);
  }
  const saved = savedFromXmp(psd.imageResources?.xmpMetadata);
  const reader = new PsdLayerReader(saved);
  if ((psd.bitsPerChannel ?? 8) === 16) reader.warnings.note('16-bit colour reduced to 8-bit');
  if ((psd.bitsPerChannel ?? 8) === 32) reader.warnings.note('32-bit colour reduced to 8-bit');
  try {
    await reader.readAll(psd.children, undefined);
    if (reader.pixelLayers === 0) {
      // A flattened PSD: its composite is the one layer.
      const composite = getCompositeImageData(readStructure(bytes, true));
      if (composite) {
        reader.layers.length = 0;
        const image: RgbaImage = { width: psd.width, height: psd.height, data: toRgba8(composite) };
        const imageId = await reader.images.add(image);
        reader.layers.push({
          id: 'psd-1', kind: 'raster', name: 'Background', x: 0, y: 0, width: psd.width, height: psd.height,
          opacity: 1, visible: true, blendMode: 'normal', imageId,
        });
      }
    }
  } catch (e) {
    if (e instanceof PsdImportError) throw e;
    throw new PsdImportError(`is damaged (${(e as Error).message || 'unreadable layer data'})`);
  }
  const base = saved.doc;
  const document: AtelierDocument = {
    type: DOCUMENT_TYPE,
    version: DOCUMENT_VERSION,
    id: base?.id ?? randomUUID(),
    name: (base?.name ?? options.name ?? 'Imported PSD').slice(0, 255),
    width: psd.width,
    height: psd.height,
    layers: reader.layers,
    generationFrame: base?.generationFrame ?? { x: 0, y: 0, width: psd.width, height: psd.height },
    historyEntryIds: base?.historyEntryIds ?? [],
  };
  const checked = DocumentSchema.safeParse(document);
  if (!checked.success) throw new PsdImportError(`could not be turned into a document (${checked.error.issues[0].message})`);
  return { document: checked.data, images: reader.images.images, warnings: reader.warnings.messages('PSD') };
}
