import type { ControlRef } from '../../../electron/contract/control.js';
import type { GenerationSettings } from '../../../electron/contract/generation.js';
import { isControlLayer, type AtelierDocument, type RasterLayer } from '../../../electron/contract/document.js';
import { controlMap } from '../../../electron/shared/image/control/controlMap.js';
import type { RgbaImage } from '../../../electron/shared/image/pixels.js';
import { api } from '../api/api.js';
import { primeImage } from '../canvas/imageCache.js';
import type { Rect } from '../document/geometry.js';
import { newId, rasterLayer } from '../document/newDocument.js';
import { canvasPng, layerSource } from '../generate/compositeFrame.js';
import { useStore } from '../state/store.js';
import type { ControlEntry } from './controlSlice.js';

/** The raster layers a control can follow: Control layers first (what "draw" makes), then image layers, top first. */
export function controlSources(doc: AtelierDocument): RasterLayer[] {
  const rasters = doc.layers.filter((l): l is RasterLayer => l.kind === 'raster').reverse();
  return [...rasters.filter(isControlLayer), ...rasters.filter((l) => !isControlLayer(l))];
}

/** A layer's own pixels inside the frame (transparent where it does not reach), whatever its visibility. */
export async function sourceInFrame(layer: RasterLayer, frame: Rect): Promise<RgbaImage> {
  const c = document.createElement('canvas');
  c.width = frame.width;
  c.height = frame.height;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(await layerSource(layer), layer.x - frame.x, layer.y - frame.y, layer.width, layer.height);
  const { data } = ctx.getImageData(0, 0, frame.width, frame.height);
  return { width: frame.width, height: frame.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The preprocessed map as a canvas (the preview shows it; Generate uploads it). */
export async function mapCanvas(layer: RasterLayer, entry: Pick<ControlEntry, 'type'>, frame: Rect): Promise<HTMLCanvasElement> {
  const map = controlMap(await sourceInFrame(layer, frame), entry.type);
  const c = document.createElement('canvas');
  c.width = map.width;
  c.height = map.height;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(map.data.buffer as ArrayBuffer, map.data.byteOffset, map.data.length), map.width, map.height), 0, 0);
  return c;
}

/**
 * settings.controls for a job on `frame`: each row's map built from its source's pixels in the frame,
 * uploaded like an init image. A row that cannot run says so in one sentence (thrown, shown by Generate).
 */
export async function controlRefs(doc: AtelierDocument, entries: readonly ControlEntry[], frame: Rect): Promise<ControlRef[]> {
  const refs: ControlRef[] = [];
  for (const [i, entry] of entries.entries()) {
    const name = entries.length > 1 ? `Control ${i + 1}` : 'The control';
    if (!entry.model) throw new Error(`${name} has no ControlNet: install one (Models) or remove the control.`);
    const layer = doc.layers.find((l): l is RasterLayer => l.id === entry.source && l.kind === 'raster');
    if (!layer) throw new Error(`${name} has no source layer: pick a layer, or Draw one.`);
    if (!(entry.start < entry.end)) throw new Error(`${name} starts at ${entry.start} but ends at ${entry.end}: the start must come first.`);
    const { imageId } = await api.putImage(await canvasPng(await mapCanvas(layer, entry, frame)));
    refs.push({ model: entry.model, imageId, type: entry.type, scale: entry.scale, start: entry.start, end: entry.end });
  }
  return refs;
}

/**
 * "Draw": a new empty Control layer over the frame, selected, with the Paint tool ready to sketch on it
 * (one undo step). Returns its id for the control row.
 */
export async function drawControlLayer(): Promise<string> {
  const s = useStore.getState();
  const doc = s.undoHistory.doc;
  const frame = doc.generationFrame;
  const c = document.createElement('canvas');
  c.width = frame.width;
  c.height = frame.height;
  const png = await canvasPng(c);
  const { imageId } = await api.putImage(png);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  img.src = url;
  await img.decode().finally(() => URL.revokeObjectURL(url));
  primeImage(imageId, img);
  const n = doc.layers.filter(isControlLayer).length + 1;
  const layer = rasterLayer(`Control ${n}`, imageId, frame, { role: 'control', id: newId('control') });
  const now = useStore.getState();
  now.perform({ type: 'addLayer', layer, index: now.undoHistory.doc.layers.length }, 'Add Control layer');
  now.selectLayer(layer.id);
  now.setTool('paint');
  return layer.id;
}

/** Only set when there are controls, so plain generations keep the settings they always had. */
export async function controlSettings(doc: AtelierDocument, entries: readonly ControlEntry[], frame: Rect): Promise<Pick<GenerationSettings, 'controls'>> {
  return entries.length > 0 ? { controls: await controlRefs(doc, entries, frame) } : {};
}
