import { inPicture, type AtelierDocument, type Layer, type RasterLayer } from '../../contract/document.js';
import type { GenerationSettings } from '../../contract/generation.js';
import type { GenerationMetadata } from './generationMetadata.js';
import { buildInternationalTextChunk } from './pngChunks.js';

/**
 * What a flat export may honestly say about how its picture was made. A1111 `parameters` (and our
 * `atelier` JSON) promise "re-run these and you get this picture", which only holds when the picture is
 * one generated layer, untouched: visible alone over the exported area, covering all of it, at its
 * generated size, full opacity, normal blend, no mask, its pixels never edited (`source.edited`). A picture made of several layers gets no
 * `parameters`; a PNG then carries an `atelier-composite` chunk listing each visible generated layer's
 * generation instead. Pure.
 */

/** PNG keyword of the composite's layer list (iTXt JSON). */
export const COMPOSITE_KEYWORD = 'atelier-composite';

export interface CompositeLayerGeneration {
  name: string;
  model: string;
  seed: number;
  settings: GenerationSettings;
  x: number;
  y: number;
  width: number;
  height: number;
  opacity: number;
  blendMode: string;
  /** Its pixels were changed after generation (painted over): the settings made what it was, not what it is. */
  edited?: true;
}

export interface CompositeProvenance {
  app: 'atelier';
  composite: true;
  note: string;
  /** Bottom to top, as in the document. */
  layers: CompositeLayerGeneration[];
}

export type FlatProvenance = { kind: 'generation'; meta: GenerationMetadata } | { kind: 'composite'; composite: CompositeProvenance } | { kind: 'none' };

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Shown, counting its groups: a layer in a hidden or transparent group, or a Control layer, is not in the picture. */
function shown(doc: AtelierDocument, l: Layer): boolean {
  for (let at: Layer | undefined = l, depth = 0; at && depth < 64; depth++) {
    if (!inPicture(at) || at.opacity <= 0) return false;
    at = at.parentId ? doc.layers.find((g) => g.id === at!.parentId) : undefined;
  }
  return true;
}

const overlaps = (l: RasterLayer, a: Area) => l.x < a.x + a.width && l.x + l.width > a.x && l.y < a.y + a.height && l.y + l.height > a.y;
const covers = (l: RasterLayer, a: Area) => l.x <= a.x && l.y <= a.y && l.x + l.width >= a.x + a.width && l.y + l.height >= a.y + a.height;

/** `region`: the exported area (the frame for frame-only exports), else the whole document. */
export function flatProvenance(doc: AtelierDocument, region?: Area, appVersion?: string): FlatProvenance {
  const area = region ?? { x: 0, y: 0, width: doc.width, height: doc.height };
  const inPicture = doc.layers.filter((l): l is RasterLayer => l.kind === 'raster' && shown(doc, l) && overlaps(l, area));
  const generated = inPicture.filter((l) => l.source?.settings);
  if (generated.length === 0) return { kind: 'none' };
  const only = inPicture.length === 1 ? inPicture[0]! : undefined;
  const settings = only?.source?.settings;
  const untouched = only && settings && !only.source?.edited && covers(only, area) && only.opacity === 1 && only.blendMode === 'normal' && !only.mask &&
    only.width === settings.width && only.height === settings.height;
  if (only && settings && untouched) {
    return { kind: 'generation', meta: { settings, model: only.source?.model ?? 'unknown', seed: settings.seed, app: 'atelier', ...(appVersion ? { appVersion } : {}) } };
  }
  const layers = generated.map((l) => ({
    name: l.name, model: l.source?.model ?? 'unknown', seed: l.source!.settings!.seed, settings: l.source!.settings!,
    x: l.x, y: l.y, width: l.width, height: l.height, opacity: l.opacity, blendMode: l.blendMode,
    ...(l.source?.edited ? { edited: true as const } : {}),
  }));
  const note = inPicture.length === 1
    ? 'This picture is one generated layer changed after generation (painted over, placed, scaled, masked, faded or blended); its parameters alone do not reproduce it.'
    : `This picture is a composite of ${inPicture.length} layers; no single set of generation parameters reproduces it. The generated layers are listed bottom to top.`;
  return { kind: 'composite', composite: { app: 'atelier', composite: true, note, layers } };
}

/** The PNG chunk that states a composite (no `parameters` beside it). */
export function compositeChunk(c: CompositeProvenance): Uint8Array {
  return buildInternationalTextChunk(COMPOSITE_KEYWORD, JSON.stringify(c));
}
