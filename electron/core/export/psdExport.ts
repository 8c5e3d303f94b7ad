import { writePsdUint8Array, type Layer as PsdLayer, type PixelData, type Psd, type BlendMode as PsdBlendMode, type WriteOptions } from 'ag-psd';
import * as agWriter from 'ag-psd/dist/psdWriter.js';
import { DocumentSchema, type AtelierDocument, type BlendMode, type Layer, type RasterLayer } from '../../contract/document.js';
import { inPicture } from '../../contract/document.js';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { compositeDocument, CompositeError, layerImage, maskImage } from '../../shared/image/composite.js';
import { DecodedImages } from './decodedImages.js';
import { describeGeneration } from './generationMetadata.js';
import { buildLayerTree, type LayerNode } from '../../shared/image/layerTree.js';
import { formatA1111Parameters } from './a1111Parameters.js';
import { flatProvenance } from './flatProvenance.js';
import { buildXmpPacket } from './xmpMetadata.js';
import { checkExportBudget, estimatePsdBytes } from './exportBudget.js';
import { UserError } from '../../shared/userError.js';

/**
 * Layered PSD export with ag-psd, no canvas: pixels go in as raw `imageData`. Each layer's pixels are
 * decoded only when ag-psd reads them (a lazy `data` getter), and only the most recent one is kept, so
 * memory holds ag-psd's compressed channels plus one decoded layer, not every layer at once.
 * The document JSON (ids, sources, frame, history) rides in the XMP packet so import loses nothing.
 */

/** Photoshop (non-PSB) limit that ag-psd enforces. */
export const PSD_MAX_SIDE = 30000;

export class PsdExportError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export const toPsdBlendMode = (mode: BlendMode): PsdBlendMode => mode.replace('-', ' ') as PsdBlendMode;

/** PSD layer name: the user's name, else what made it (e.g. "Inpaint: a small wooden boat · seed 42"). */
export function psdLayerName(layer: Layer, index: number): string {
  if (layer.name.trim()) return layer.name;
  const s = layer.kind === 'raster' ? layer.source?.settings : undefined;
  return s ? describeGeneration(s, s.seed) : `Layer ${index + 1}`;
}

/**
 * XMP with the whole document JSON and the PSD layer id of each of our layers. The A1111 parameters
 * follow the flat PNG's rule (flatProvenance): only when they reproduce the composite; otherwise
 * `atelier:composite` lists each visible generated layer's generation instead.
 */
export function documentXmp(doc: AtelierDocument, psdIds: Map<string, number>, appVersion?: string): string {
  const provenance = flatProvenance(doc, undefined, appVersion);
  return buildXmpPacket({
    parameters: provenance.kind === 'generation' ? formatA1111Parameters(provenance.meta) : undefined,
    creatorTool: appVersion ? `Atelier ${appVersion}` : 'Atelier',
    atelier: {
      document: JSON.stringify(doc),
      layerIds: JSON.stringify([...psdIds]),
      ...(provenance.kind === 'composite' ? { composite: JSON.stringify(provenance.composite) } : {}),
    },
  });
}

/** Pixel data whose bytes are produced on first read and dropped when another layer is read. */
class LazyPixels {
  private current: { key: string; data: Uint8Array } | undefined;
  decodes = 0;
  /** Keys whose bytes were produced at least once. */
  readonly produced = new Set<string>();
  readonly keys = new Set<string>();

  pixelData(key: string, width: number, height: number, produce: () => Uint8Array): PixelData {
    const self = this;
    this.keys.add(key);
    return {
      width,
      height,
      get data(): Uint8Array {
        if (self.current?.key !== key) {
          self.current = undefined; // let the previous layer go before decoding the next
          self.current = { key, data: produce() };
          self.decodes++;
          self.produced.add(key);
        }
        return self.current.data;
      },
    } as PixelData;
  }
}

/**
 * ag-psd's writer starts at 4 KiB and doubles, so a 600 MB PSD briefly holds a 512 MiB and a 1 GiB
 * buffer. Starting at the size bound avoids that; if ag-psd's internals ever move, use its public call.
 */
function writeSized(psd: Psd, options: WriteOptions, estimate: number): Uint8Array {
  const { createWriter, writePsd, getWriterBufferNoCopy } = agWriter as Partial<typeof agWriter>;
  if (typeof createWriter !== 'function' || typeof writePsd !== 'function' || typeof getWriterBufferNoCopy !== 'function') {
    return writePsdUint8Array(psd, options);
  }
  const writer = createWriter(Math.min(estimate, 2 ** 31));
  writePsd(writer, psd, options);
  const bytes = getWriterBufferNoCopy(writer);
  // Compressible pictures can leave most of the bound unused: hand back a right-sized copy then.
  return bytes.byteLength < bytes.buffer.byteLength * 0.75 ? bytes.slice() : bytes;
}

/** ag-psd reads masks from the red channel of RGBA pixel data. */
function grayAsRgba(gray: GrayImage): Uint8Array {
  const out = new Uint8Array(gray.width * gray.height * 4);
  for (let i = 0, o = 0; i < gray.data.length; i++, o += 4) {
    out[o] = out[o + 1] = out[o + 2] = gray.data[i];
    out[o + 3] = 255;
  }
  return out;
}

export interface PsdExportOptions {
  appVersion?: string;
  /** Told how many PNG decodes the export took and whether ag-psd needed a second, ungated pass. */
  onStats?: (stats: { decodes: number; secondPass: boolean }) => void;
}

/**
 * ag-psd first walks every layer to check bit depths (`verifyBitCount`), which would decode each layer
 * once just to look at its array type. Our layers' `imageData` is therefore hidden until ag-psd reads
 * the composite, which it does right after that walk. If a future ag-psd reads things in another order
 * and some layer was never read, the PSD is written again without the gate (correct, just slower).
 */
class Gate {
  open = false;
}

function defineGated<T extends object>(target: T, key: string, gate: Gate, value: unknown): T {
  Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => (gate.open ? value : undefined) });
  return target;
}

export function exportPsd(doc: AtelierDocument, images: ReadonlyMap<string, Uint8Array>, options: PsdExportOptions = {}): Uint8Array {
  const parsed = DocumentSchema.safeParse(doc);
  if (!parsed.success) throw new PsdExportError(`cannot export: the document is not valid (${parsed.error.issues[0].message})`);
  if (doc.width > PSD_MAX_SIDE || doc.height > PSD_MAX_SIDE) throw new PsdExportError(`PSD files are at most ${PSD_MAX_SIDE} pixels a side`);
  checkExportBudget(doc, 'psd');
  const pixels = new DecodedImages(doc, images, 1);
  const composite = compositeDocument(doc, pixels);
  const psdIds = new Map<string, number>();
  doc.layers.forEach((l, i) => psdIds.set(l.id, i + 1));
  const xmp = documentXmp(doc, psdIds, options.appVersion);
  const estimate = estimatePsdBytes(doc, xmp.length);
  const first = writeWith(doc, pixels, composite, psdIds, xmp, false, estimate);
  const result = first.complete ? first : writeWith(doc, pixels, composite, psdIds, xmp, true, estimate);
  options.onStats?.({ decodes: pixels.decodes, secondPass: !first.complete });
  return result.bytes;
}

function writeWith(
  doc: AtelierDocument,
  pixels: DecodedImages,
  composite: RgbaImage,
  psdIds: Map<string, number>,
  xmp: string,
  ungated: boolean,
  estimate: number,
): { bytes: Uint8Array; complete: boolean } {
  const lazy = new LazyPixels();
  const gate = new Gate();
  gate.open = ungated;
  let index = 0;

  const convert = (node: LayerNode): PsdLayer => {
    const layer = node.layer;
    const base = {
      name: psdLayerName(layer, index++),
      id: psdIds.get(layer.id),
      opacity: layer.opacity,
      hidden: !inPicture(layer), // Control layers travel hidden
      blendMode: toPsdBlendMode(layer.blendMode),
    };
    if (node.children) return { ...base, opened: true, children: node.children.map(convert) };
    const raster = node.layer;
    const out: PsdLayer = {
      ...base,
      top: raster.y,
      left: raster.x,
      bottom: raster.y + raster.height,
      right: raster.x + raster.width,
    };
    defineGated(out, 'imageData', gate, lazy.pixelData(raster.imageId, raster.width, raster.height, () => layerImage(raster, pixels).data));
    const m = raster.mask;
    if (m) {
      out.mask = defineGated(
        { top: m.y, left: m.x, bottom: m.y + m.height, right: m.x + m.width, defaultColor: 0 }, // hidden outside, as in the compositor
        'imageData',
        gate,
        lazy.pixelData(`mask:${raster.id}`, m.width, m.height, () =>
          grayAsRgba(maskImage(raster as RasterLayer & { mask: NonNullable<RasterLayer['mask']> }, pixels))),
      );
    }
    return out;
  };

  const psd: Psd = {
    width: doc.width,
    height: doc.height,
    children: buildLayerTree(doc.layers).map(convert),
    imageResources: { xmpMetadata: xmp },
  };
  Object.defineProperty(psd, 'imageData', {
    enumerable: true,
    get: () => {
      gate.open = true;
      return composite;
    },
  });
  let bytes: Uint8Array;
  try {
    // noBackground: keep the bottom layer a normal layer so its name, opacity and position survive.
    bytes = writeSized(psd, { noBackground: true }, estimate);
  } catch (e) {
    if (e instanceof CompositeError) throw e;
    throw new PsdExportError(`could not write the PSD: ${(e as Error).message}`);
  }
  // PSD (not PSB) section lengths are 32-bit; ag-psd would wrap them silently and write a broken file.
  if (bytes.length >= 2 ** 32 - 1) throw new PsdExportError('the PSD would be larger than 4 GiB, the limit of .psd files; export to .ora instead');
  const complete = [...lazy.keys].every((k) => lazy.produced.has(k));
  return { bytes, complete };
}
