import { createHash, randomUUID } from 'node:crypto';
import {
  BLEND_MODES,
  DOCUMENT_TYPE,
  DOCUMENT_VERSION,
  DocumentSchema,
  type AtelierDocument,
  type BlendMode,
  type Layer,
  type RasterLayer,
} from '../../contract/document.js';
import { controlRole, ImportedImages, ImportWarnings, namingTheFile, type DocumentImportOptions, type ImportedDocument } from './importedImages.js';
import { ORA_MIMETYPE, type OraLayerLink } from './oraExport.js';
import { decodePngRgba, MAX_DECODE_SIDE } from './pngDecode.js';
import { ZipArchive, ZipFormatError } from './safeZip.js';
import { pngLimitFromHead, pngMaxBytes } from './pngChunks.js';
import { parseXml, StackXmlError, type XmlElement } from './stackXml.js';
import { UserError } from '../../shared/userError.js';

/**
 * OpenRaster import: stack.xml gives the tree (top of the stack first), data/*.png the pixels. A file
 * we wrote also carries atelier/ extras; a layer whose PNG is byte-identical to what we wrote gets its
 * id, source and unmasked pixels + mask back, while names, positions, opacity and order always come
 * from stack.xml (another app may have changed them).
 */

export class OraImportError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const OURS = new Set<string>(BLEND_MODES);

function blendModeOf(op: string | undefined, warnings: ImportWarnings): BlendMode {
  if (!op || op === 'svg:src-over') return 'normal';
  const mode = op.startsWith('svg:') ? op.slice(4) : op;
  if (OURS.has(mode)) return mode as BlendMode;
  warnings.count(`layer with composite-op "${op}" set to normal`, 'layers with composite ops Atelier lacks set to normal');
  return 'normal';
}

function intAttr(v: string | undefined): number {
  const n = v === undefined ? 0 : Number(v);
  if (!Number.isFinite(n) || Math.abs(n) > 1e7) throw new OraImportError(`has a layer position "${v}" that is not a number`);
  return Math.round(n);
}

function opacityAttr(v: string | undefined): number {
  const n = v === undefined ? 1 : Number(v);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1;
}

interface Saved {
  doc?: AtelierDocument;
  links: Map<number, OraLayerLink>;
  layers: Map<string, Layer>;
}

const MAX_XML_BYTES = 16 << 20;

async function readSaved(zip: ZipArchive): Promise<Saved> {
  const saved: Saved = { links: new Map(), layers: new Map() };
  try {
    const doc = DocumentSchema.safeParse(JSON.parse(new TextDecoder().decode((await zip.read('atelier/document.json', { maxBytes: MAX_XML_BYTES })) ?? new Uint8Array())));
    const links: unknown = JSON.parse(new TextDecoder().decode((await zip.read('atelier/layers.json', { maxBytes: MAX_XML_BYTES })) ?? new Uint8Array()));
    if (!doc.success || !Array.isArray(links)) return saved;
    saved.doc = doc.data;
    for (const l of doc.data.layers) saved.layers.set(l.id, l);
    for (const link of links as OraLayerLink[]) {
      if (link && typeof link.index === 'number' && typeof link.id === 'string') saved.links.set(link.index, link);
    }
  } catch {
    /* not ours, or damaged: plain ORA import */
  }
  return saved;
}

class OraReader {
  readonly layers: Layer[] = [];
  readonly images = new ImportedImages();
  readonly warnings = new ImportWarnings();
  private readonly usedIds = new Set<string>();
  /** Document-order index of each <layer>/<stack>, as oraExport numbers them in atelier/layers.json. */
  private readonly order = new Map<XmlElement, number>();

  constructor(private readonly zip: ZipArchive, private readonly saved: Saved) {}

  /** A PNG entry, inflated only as far as its own header says such an image can be. */
  private png(name: string): Promise<Uint8Array | undefined> {
    return this.zip.read(name, { limitFromHead: (head) => pngLimitFromHead(head, MAX_DECODE_SIDE) });
  }

  private newId(preferred?: string): string {
    let id = preferred && !this.usedIds.has(preferred) ? preferred : undefined;
    for (let n = this.usedIds.size + 1; !id; n++) if (!this.usedIds.has(`ora-${n}`)) id = `ora-${n}`;
    this.usedIds.add(id);
    return id;
  }

  numberElements(root: XmlElement): void {
    const walk = (el: XmlElement): void => {
      for (const child of el.children) {
        if (child.name !== 'layer' && child.name !== 'stack') continue;
        this.order.set(child, this.order.size);
        if (child.name === 'stack') walk(child);
      }
    };
    walk(root);
  }

  /** Reads a <stack>'s children (top first in ORA) into our bottom→top list. */
  async readStack(el: XmlElement, parentId: string | undefined): Promise<void> {
    for (const child of [...el.children].reverse()) await this.readElement(child, parentId);
  }

  private async readElement(el: XmlElement, parentId: string | undefined): Promise<void> {
    const a = el.attrs;
    if (el.name !== 'layer' && el.name !== 'stack') {
      this.warnings.count(`<${el.name}> element skipped`, 'unsupported elements (text, filters…) skipped');
      return;
    }
    const link = this.saved.links.get(this.order.get(el) ?? -1);
    const common = {
      name: (a['name'] ?? '').slice(0, 255),
      opacity: opacityAttr(a['opacity']),
      visible: a['visibility'] !== 'hidden',
      blendMode: blendModeOf(a['composite-op'], this.warnings),
      ...(parentId !== undefined ? { parentId } : {}),
    };
    if (el.name === 'stack') {
      const id = this.newId(link?.kind === 'group' ? link.id : undefined);
      this.layers.push({ ...common, id, kind: 'group' });
      await this.readStack(el, id);
      return;
    }
    const src = a['src'] ?? '';
    const png = src.toLowerCase().endsWith('.png') ? await this.pngOf(src, common.name) : undefined;
    if (!png) {
      this.warnings.count('layer without a PNG source skipped', 'layers without PNG sources skipped');
      return;
    }
    const x = intAttr(a['x']), y = intAttr(a['y']);
    const hashOk = link?.kind === 'raster' && link.sha256 === sha256(png);
    const saved = hashOk ? this.saved.layers.get(link.id) : undefined;
    const ours = saved?.kind === 'raster' ? saved : undefined;
    const source = { ...(ours?.source ? { source: ours.source } : {}), ...(ours ? controlRole(ours) : {}) };
    if (ours?.mask) {
      const restored = await this.restoreMasked(ours, x, y);
      if (restored) {
        this.layers.push({ ...restored, ...common, ...source, id: this.newId(ours.id) });
        return;
      }
    }
    let pixels;
    try {
      pixels = decodePngRgba(png);
    } catch (e) {
      throw new OraImportError(`has a layer "${common.name}" whose PNG cannot be read (${(e as Error).message})`);
    }
    const imageId = await this.images.add(pixels);
    this.layers.push({
      ...common, ...source, id: this.newId(ours?.id), kind: 'raster', x, y, width: pixels.width, height: pixels.height, imageId,
    });
  }

  private async pngOf(src: string, layerName: string): Promise<Uint8Array | undefined> {
    try {
      return await this.png(src);
    } catch (e) {
      if ((e as Error).name !== 'PngFormatError') throw e;
      throw new OraImportError(`has a layer "${layerName}" whose PNG cannot be read (${(e as Error).message})`);
    }
  }

  /** A masked layer of ours: unmasked pixels + mask from atelier/images, moved to where stack.xml puts it. */
  private async restoreMasked(saved: RasterLayer, x: number, y: number): Promise<Omit<RasterLayer, 'id'> | undefined> {
    if (!saved.mask) return undefined;
    const image = await this.png(`atelier/images/${saved.imageId}.png`).catch(() => undefined);
    const mask = await this.png(`atelier/images/${saved.mask.imageId}.png`).catch(() => undefined);
    if (!image || !mask || sha256(image) !== saved.imageId || sha256(mask) !== saved.mask.imageId) return undefined;
    this.images.images.set(saved.imageId, image);
    this.images.images.set(saved.mask.imageId, mask);
    const dx = x - saved.x, dy = y - saved.y;
    const { id: _id, ...rest } = saved;
    return { ...rest, x, y, mask: { ...saved.mask, x: saved.mask.x + dx, y: saved.mask.y + dy } };
  }
}

function countLayers(el: XmlElement): number {
  let n = 0;
  for (const c of el.children) n += c.name === 'layer' ? 1 : c.name === 'stack' ? countLayers(c) : 0;
  return n;
}

export async function importOra(bytes: Uint8Array, options: DocumentImportOptions = {}): Promise<ImportedDocument> {
  return namingTheFile(options, () => importOraUnlabelled(bytes, options), (e, label) => {
    if (e instanceof ZipFormatError) return new OraImportError(`${label} is not a readable OpenRaster file: ${e.message}`);
    if (e instanceof StackXmlError) return new OraImportError(`${label} is damaged (stack.xml: ${e.message})`);
    if (e instanceof OraImportError) return new OraImportError(`${label} ${e.message}`);
    return undefined;
  });
}

async function importOraUnlabelled(bytes: Uint8Array, options: DocumentImportOptions): Promise<ImportedDocument> {
  // Nothing is inflated until stack.xml has said how big the image is; then the layers' PNGs may
  // together take what a few uncompressed copies of the canvas would, each no more than its own header allows.
  const zip = ZipArchive.open(bytes, { budgetBytes: 2 * MAX_XML_BYTES + 64 * 1024 });
  const mimetype = await zip.read('mimetype', { maxBytes: 1024 });
  if (mimetype && new TextDecoder().decode(mimetype).trim() !== ORA_MIMETYPE) throw new OraImportError('is not an OpenRaster file (wrong mimetype)');
  const stackBytes = await zip.read('stack.xml', { maxBytes: MAX_XML_BYTES }).catch((e: unknown) => {
    throw e instanceof ZipFormatError && /claims|inflates? to more/.test(e.message) ? new OraImportError('is damaged (stack.xml is too large)') : e;
  });
  if (!stackBytes) throw new OraImportError('is not an OpenRaster file (no stack.xml inside)');
  const image = parseXml(new TextDecoder().decode(stackBytes));
  if (image.name !== 'image') throw new OraImportError('is damaged (stack.xml has no <image>)');
  const width = Number(image.attrs['w']), height = Number(image.attrs['h']);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_DECODE_SIDE || height > MAX_DECODE_SIDE) {
    throw new OraImportError(`is ${image.attrs['w']}x${image.attrs['h']}; Atelier opens documents up to ${MAX_DECODE_SIDE}x${MAX_DECODE_SIDE}`);
  }
  const root = image.children.find((c) => c.name === 'stack');
  if (!root) throw new OraImportError('is damaged (stack.xml has no root <stack>)');
  // Each layer (and our saved unmasked copy + mask of it) at up to twice the canvas area, uncompressed.
  const layersZip = ZipArchive.open(bytes, { budgetBytes: 2 * MAX_XML_BYTES + Math.max(1, countLayers(root)) * 3 * pngMaxBytes(width, height, 32) * 2 });
  const saved = await readSaved(layersZip);
  const reader = new OraReader(layersZip, saved);
  reader.numberElements(root);
  await reader.readStack(root, undefined);
  // Keep only images the layers use (restoring may have added some that then were not needed).
  const used = new Set<string>();
  for (const l of reader.layers) if (l.kind === 'raster') { used.add(l.imageId); if (l.mask) used.add(l.mask.imageId); }
  for (const id of [...reader.images.images.keys()]) if (!used.has(id)) reader.images.images.delete(id);
  const base = saved.doc;
  const document: AtelierDocument = {
    type: DOCUMENT_TYPE,
    version: DOCUMENT_VERSION,
    id: base?.id ?? randomUUID(),
    name: (base?.name ?? options.name ?? 'Imported OpenRaster').slice(0, 255),
    width,
    height,
    layers: reader.layers,
    generationFrame: base?.generationFrame ?? { x: 0, y: 0, width, height },
    historyEntryIds: base?.historyEntryIds ?? [],
  };
  const checked = DocumentSchema.safeParse(document);
  if (!checked.success) throw new OraImportError(`could not be turned into a document (${checked.error.issues[0].message})`);
  return { document: checked.data, images: reader.images.images, warnings: reader.warnings.messages('OpenRaster file') };
}
