import type { AtelierDocument, BlendMode, GenerationFrame, LayerMask, RasterLayer } from '../../contract/document.js';
import { inPicture, MAX_IMAGE_SIDE } from '../../contract/document.js';
import { createRgba, type GrayImage, type RgbaImage } from './pixels.js';
import { buildLayerTree, rasterLayersOf, type LayerNode } from './layerTree.js';
import { UserError } from '../userError.js';

/**
 * Flattens a document into one RGBA image, 8 bits per channel as Photoshop does for 8-bit files.
 * Math follows the W3C Compositing and Blending spec (source-over with separable blend modes):
 *   Cs' = (1 − αb)·Cs + αb·B(Cb, Cs);  αo = αs + αb(1 − αs);  Co = (αs·Cs' + αb(1 − αs)·Cb) / αo
 * Groups are isolated: children are flattened into their own buffer, which is then blended with the
 * group's opacity and mode (what PSD readers do for a group whose mode is not pass-through).
 * A mask covers its rectangle; outside it the layer is hidden (PSD mask default colour 0).
 */

/** Decoded pixels by image id: RGBA for layers, gray for masks. A Map works; DecodedImages decodes lazily. */
export interface LayerPixels {
  get(id: string): RgbaImage | GrayImage | undefined;
}
export type Rect = Pick<GenerationFrame, 'x' | 'y' | 'width' | 'height'>;

export class CompositeError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

const MAX_SIDE = MAX_IMAGE_SIDE;

type Blend = (cb: number, cs: number) => number;
const softLightD = (cb: number): number => (cb <= 0.25 ? ((16 * cb - 12) * cb + 4) * cb : Math.sqrt(cb));
const hardLight: Blend = (cb, cs) => (cs <= 0.5 ? cb * 2 * cs : cb + (2 * cs - 1) - cb * (2 * cs - 1));
const BLENDS: Record<BlendMode, Blend> = {
  normal: (_cb, cs) => cs,
  multiply: (cb, cs) => cb * cs,
  screen: (cb, cs) => cb + cs - cb * cs,
  overlay: (cb, cs) => hardLight(cs, cb),
  darken: (cb, cs) => Math.min(cb, cs),
  lighten: (cb, cs) => Math.max(cb, cs),
  'color-dodge': (cb, cs) => (cb === 0 ? 0 : cs >= 1 ? 1 : Math.min(1, cb / (1 - cs))),
  'color-burn': (cb, cs) => (cb >= 1 ? 1 : cs <= 0 ? 0 : 1 - Math.min(1, (1 - cb) / cs)),
  'hard-light': hardLight,
  'soft-light': (cb, cs) => (cs <= 0.5 ? cb - (1 - 2 * cs) * cb * (1 - cb) : cb + (2 * cs - 1) * (softLightD(cb) - cb)),
  difference: (cb, cs) => Math.abs(cb - cs),
  exclusion: (cb, cs) => cb + cs - 2 * cb * cs,
};

// B(Cb, Cs) for all 8-bit pairs, index (cb << 8) | cs, values 0..255 as floats (no double rounding).
const tables = new Map<BlendMode, Float32Array>();
function blendTable(mode: BlendMode): Float32Array {
  let t = tables.get(mode);
  if (!t) {
    const f = BLENDS[mode];
    t = new Float32Array(65536);
    for (let cb = 0; cb < 256; cb++) for (let cs = 0; cs < 256; cs++) t[(cb << 8) | cs] = 255 * f(cb / 255, cs / 255);
    tables.set(mode, t);
  }
  return t;
}

/** A source placed in the target's coordinates, with an optional mask in the same coordinates. */
export interface PlacedSource {
  image: RgbaImage;
  x: number;
  y: number;
  opacity: number;
  blendMode: BlendMode;
  mask?: { image: GrayImage; x: number; y: number };
}

/** Blends `src` onto `target` in place (both in target coordinates; src may hang off any edge). */
export function blendInto(target: RgbaImage, src: PlacedSource): void {
  const x0 = Math.max(0, src.x);
  const y0 = Math.max(0, src.y);
  const x1 = Math.min(target.width, src.x + src.image.width);
  const y1 = Math.min(target.height, src.y + src.image.height);
  if (x0 >= x1 || y0 >= y1 || src.opacity <= 0) return;
  const table = src.blendMode === 'normal' ? undefined : blendTable(src.blendMode);
  const t = target.data;
  const s = src.image.data;
  const sw = src.image.width;
  const mask = src.mask;
  const opacity = Math.min(1, src.opacity) / 255;
  for (let y = y0; y < y1; y++) {
    const maskRow = mask && y - mask.y >= 0 && y - mask.y < mask.image.height ? (y - mask.y) * mask.image.width : -1;
    if (mask && maskRow < 0) continue;
    let ti = (y * target.width + x0) * 4;
    let si = ((y - src.y) * sw + (x0 - src.x)) * 4;
    for (let x = x0; x < x1; x++, ti += 4, si += 4) {
      let as = s[si + 3] * opacity;
      if (mask) {
        const mx = x - mask.x;
        as = mx >= 0 && mx < mask.image.width ? (as * mask.image.data[maskRow + mx]) / 255 : 0;
      }
      if (as <= 0) continue;
      const tb = t[ti + 3];
      if (tb === 255 && !table) {
        // Opaque backdrop, normal mode (the common case): plain lerp, alpha stays 255.
        const r = t[ti], g = t[ti + 1], b = t[ti + 2];
        t[ti] = r + (s[si] - r) * as + 0.5;
        t[ti + 1] = g + (s[si + 1] - g) * as + 0.5;
        t[ti + 2] = b + (s[si + 2] - b) * as + 0.5;
        continue;
      }
      const ab = tb / 255;
      const ao = as + ab * (1 - as);
      const wb = (ab * (1 - as)) / ao;
      const ws = as / ao;
      if (table) {
        for (let c = 0; c < 3; c++) {
          const cb = t[ti + c];
          const cs = s[si + c];
          t[ti + c] = ws * ((1 - ab) * cs + ab * table[(cb << 8) | cs]) + wb * cb + 0.5;
        }
      } else {
        t[ti] = ws * s[si] + wb * t[ti] + 0.5;
        t[ti + 1] = ws * s[si + 1] + wb * t[ti + 1] + 0.5;
        t[ti + 2] = ws * s[si + 2] + wb * t[ti + 2] + 0.5;
      }
      t[ti + 3] = ao * 255 + 0.5;
    }
  }
}

function pixelsOf(pixels: LayerPixels, id: string, layerName: string, what: string): RgbaImage | GrayImage {
  const image = pixels.get(id);
  if (!image) throw new CompositeError(`layer "${layerName}": its ${what} (${id.slice(0, 12)}…) is missing`);
  return image;
}

/** The RGBA pixels of a raster layer, checked against the layer's size. */
export function layerImage(layer: RasterLayer, pixels: LayerPixels): RgbaImage {
  const image = pixelsOf(pixels, layer.imageId, layer.name, 'image');
  if (image.width !== layer.width || image.height !== layer.height || image.data.length !== image.width * image.height * 4) {
    throw new CompositeError(
      `layer "${layer.name}": its image is ${image.width}x${image.height} but the layer is ${layer.width}x${layer.height} RGBA`,
    );
  }
  return image as RgbaImage;
}

/** The gray pixels of a layer's mask, checked against the mask's size. */
export function maskImage(layer: RasterLayer & { mask: LayerMask }, pixels: LayerPixels): GrayImage {
  const m = layer.mask;
  const image = pixelsOf(pixels, m.imageId, layer.name, 'mask');
  if (image.width !== m.width || image.height !== m.height || image.data.length !== image.width * image.height) {
    throw new CompositeError(`layer "${layer.name}": its mask is ${image.width}x${image.height} but should be ${m.width}x${m.height} gray`);
  }
  return image as GrayImage;
}

function boundsOf(layers: RasterLayer[]): Rect | undefined {
  if (layers.length === 0) return undefined;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const l of layers) {
    x0 = Math.min(x0, l.x);
    y0 = Math.min(y0, l.y);
    x1 = Math.max(x1, l.x + l.width);
    y1 = Math.max(y1, l.y + l.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function intersect(a: Rect, b: Rect): Rect | undefined {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width), y1 = Math.min(a.y + a.height, b.y + b.height);
  return x0 < x1 && y0 < y1 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}

/** Source-over onto fully transparent pixels at full opacity is the source itself: copy whole rows. */
function copyInto(target: RgbaImage, image: RgbaImage, x: number, y: number): void {
  const x0 = Math.max(0, x), y0 = Math.max(0, y);
  const x1 = Math.min(target.width, x + image.width), y1 = Math.min(target.height, y + image.height);
  for (let row = y0; row < y1; row++) {
    const from = ((row - y) * image.width + (x0 - x)) * 4;
    target.data.set(image.data.subarray(from, from + (x1 - x0) * 4), (row * target.width + x0) * 4);
  }
}

/** Flattens nodes onto `target`, which shows document rectangle `area`; `empty`: target is all transparent. */
function flattenInto(target: RgbaImage, area: Rect, nodes: readonly LayerNode[], pixels: LayerPixels, empty = false): void {
  for (const node of nodes) {
    const layer = node.layer;
    if (!inPicture(layer) || layer.opacity <= 0) continue;
    if (node.children) {
      const bounds = boundsOf(rasterLayersOf(node.children).filter(inPicture));
      const inside = bounds && intersect(bounds, area);
      if (!inside) continue;
      const buffer = createRgba(inside.width, inside.height);
      flattenInto(buffer, inside, node.children, pixels, true);
      blendInto(target, {
        image: buffer, x: inside.x - area.x, y: inside.y - area.y, opacity: layer.opacity, blendMode: layer.blendMode,
      });
      empty = false;
      continue;
    }
    const raster = node.layer as RasterLayer;
    const image = layerImage(raster, pixels);
    const placed: PlacedSource = {
      image, x: raster.x - area.x, y: raster.y - area.y, opacity: raster.opacity, blendMode: raster.blendMode,
    };
    if (raster.mask) {
      placed.mask = { image: maskImage(raster as RasterLayer & { mask: LayerMask }, pixels), x: raster.mask.x - area.x, y: raster.mask.y - area.y };
    }
    if (empty && !placed.mask && placed.opacity >= 1) copyInto(target, image, placed.x, placed.y);
    else blendInto(target, placed);
    // Only the copied rectangle is filled now; later layers may land on transparent pixels around it, which blendInto handles.
    empty = false;
  }
}

export interface CompositeOptions {
  /** Document rectangle to render (default: the whole canvas); e.g. the generation frame. */
  region?: Rect;
  /** Fill under everything (default transparent). */
  background?: readonly [number, number, number, number];
}

export function compositeDocument(doc: AtelierDocument, pixels: LayerPixels, options: CompositeOptions = {}): RgbaImage {
  const region = options.region ?? { x: 0, y: 0, width: doc.width, height: doc.height };
  const { width, height } = region;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
    throw new CompositeError(`cannot render ${width}x${height}: sides must be 1..${MAX_SIDE} pixels`);
  }
  const out = createRgba(width, height, options.background as [number, number, number, number] | undefined);
  flattenInto(out, region, buildLayerTree(doc.layers), pixels, !options.background || options.background[3] === 0 && options.background.every((v) => v === 0));
  return out;
}

/** The layer's pixels with its mask multiplied into alpha, over the layer's own rectangle (for ORA). */
export function applyMaskToAlpha(layer: RasterLayer, pixels: LayerPixels): RgbaImage {
  const image = layerImage(layer, pixels);
  if (!layer.mask) return image;
  const mask = maskImage(layer as RasterLayer & { mask: LayerMask }, pixels);
  const out = { width: image.width, height: image.height, data: Uint8Array.from(image.data) };
  const mx = layer.mask.x - layer.x;
  const my = layer.mask.y - layer.y;
  for (let y = 0; y < out.height; y++) {
    const row = y - my;
    for (let x = 0; x < out.width; x++) {
      const col = x - mx;
      const m = row >= 0 && row < mask.height && col >= 0 && col < mask.width ? mask.data[row * mask.width + col] : 0;
      const i = (y * out.width + x) * 4 + 3;
      out.data[i] = Math.round((out.data[i] * m) / 255);
    }
  }
  return out;
}
