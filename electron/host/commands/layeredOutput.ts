import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type RasterLayer } from '../../contract/document.js';
import type { GenerationSettings } from '../../contract/generation.js';
import { featherWeights } from '../../core/engine/mask.js';
import { saveDocumentAs } from '../../core/document/documentIO.js';
import { describeGeneration } from '../../core/export/generationMetadata.js';
import { encodePng } from '../../core/export/pngMetadata.js';
import { grayToRgba, type GrayImage, type RgbaImage } from '../../core/image/types.js';

/** Output extensions that hold layers: the CLI writes a small document instead of a flat image. */
export const LAYERED_EXTENSIONS = ['.psd', '.ora', '.atelier'] as const;

export function isLayeredOutput(path: string): boolean {
  const lower = path.toLowerCase();
  return LAYERED_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * The generated layer of an inpaint and its layer mask, such that `input·(1−m) + layer·m` reproduces
 * the flat result under the mask m. m starts as the feathered mask; where the paste-back (colour
 * match, multi-band blend) moved a pixel further than a layer under that weight can reach, m rises
 * just enough for the layer to reach it. Outside the user's mask both are empty.
 */
export function inpaintLayer(input: RgbaImage, result: RgbaImage, weights: Float32Array): { pixels: RgbaImage; mask: GrayImage } {
  const pixels = new Uint8Array(result.data.length);
  const mask = new Uint8Array(weights.length);
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p]!;
    if (w === 0) continue;
    const i = p * 4;
    let need = w;
    for (let c = 0; c < 3; c++) {
      const a = input.data[i + c]!;
      const f = result.data[i + c]!;
      if (f > a) need = Math.max(need, (f - a) / (255 - a));
      else if (f < a) need = Math.max(need, (a - f) / a);
    }
    const m8 = Math.min(255, Math.ceil(need * 255 - 1e-9));
    const m = m8 / 255;
    mask[p] = m8;
    for (let c = 0; c < 3; c++) {
      const v = (result.data[i + c]! - input.data[i + c]! * (1 - m)) / m;
      pixels[i + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    pixels[i + 3] = 255;
  }
  return {
    pixels: { width: result.width, height: result.height, data: pixels },
    mask: { width: result.width, height: result.height, data: mask },
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function grayPng(mask: GrayImage): Promise<Uint8Array> {
  return encodePng(grayToRgba(mask));
}

interface LayeredInput {
  settings: GenerationSettings;
  model: string;
  seed: number;
  result: RgbaImage;
  initImage?: RgbaImage;
  mask?: GrayImage;
}

/** One generation as a document: the input at the bottom (img2img, inpaint), the result above it. */
export async function resultDocument(input: LayeredInput): Promise<{ doc: AtelierDocument; images: Map<string, Uint8Array> }> {
  const { settings: s, result } = input;
  const images = new Map<string, Uint8Array>();
  const put = (bytes: Uint8Array) => {
    const id = sha256(bytes);
    images.set(id, bytes);
    return id;
  };
  const base = { kind: 'raster' as const, x: 0, y: 0, width: s.width, height: s.height, opacity: 1, visible: true, blendMode: 'normal' as const };
  const layers: RasterLayer[] = [];
  if (input.initImage) layers.push({ ...base, id: 'input', name: 'Input', imageId: put(await encodePng(input.initImage)) });

  const source = { model: input.model, settings: { ...s, seed: input.seed } };
  const name = describeGeneration(s, input.seed);
  if (s.mode === 'inpaint' && input.initImage && input.mask) {
    const { pixels, mask: maskPixels } = inpaintLayer(input.initImage, result, featherWeights(input.mask, s.maskFeather));
    layers.push({
      ...base, id: 'result', name, source, imageId: put(await encodePng(pixels)),
      mask: { imageId: put(await grayPng(maskPixels)), x: 0, y: 0, width: s.width, height: s.height },
    });
  } else {
    layers.push({ ...base, id: 'result', name, source, imageId: put(await encodePng(result)) });
  }
  const doc: AtelierDocument = {
    type: DOCUMENT_TYPE,
    version: DOCUMENT_VERSION,
    id: randomUUID(),
    name,
    width: s.width,
    height: s.height,
    layers,
    generationFrame: { x: 0, y: 0, width: s.width, height: s.height },
    historyEntryIds: [],
  };
  return { doc, images };
}

export async function writeLayeredResult(path: string, input: LayeredInput): Promise<void> {
  const { doc, images } = await resultDocument(input);
  await saveDocumentAs(path, doc, images);
}
