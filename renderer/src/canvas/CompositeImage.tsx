import { useEffect, useMemo, useState } from 'react';
import { Image as KImage } from 'react-konva';
import { isControlLayer, MAX_IMAGE_SIDE, type AtelierDocument, type Layer, type RasterLayer } from '../../../electron/contract/document.js';
import { errorMessage } from '../api/api.js';
import { intersect, type Rect } from '../document/geometry.js';
import { compositeFrame, layerSource } from '../generate/compositeFrame.js';
import type { GestureSession } from '../state/viewSlice.js';
import { useStore } from '../state/store.js';

/** The compositor's largest side; the canvas shows at most this much around the document's centre. */
const MAX_SIDE = MAX_IMAGE_SIDE;

/**
 * What the canvas flattens: the document as it is, with a gesture in progress shown (the opacity slider's value)
 * and the layer under a Move drag left out (it is drawn on the fast-changing Konva layer instead).
 */
export function canvasDocument(doc: AtelierDocument, session: GestureSession): AtelierDocument {
  const dragged = session.layerDrag?.id;
  const live = session.layerOpacity;
  if (!dragged && !live) return doc;
  const layers = doc.layers.map((l): Layer => {
    if (l.id === dragged) return { ...l, visible: false };
    if (l.id === live?.id) return { ...l, opacity: live.opacity };
    return l;
  });
  return { ...doc, layers };
}

/** The document rectangle plus every visible layer hanging past its edges (outpainting), within the compositor's limit. */
export function canvasRegion(doc: AtelierDocument): Rect {
  let x0 = 0, y0 = 0, x1 = doc.width, y1 = doc.height;
  for (const l of doc.layers) {
    if (l.kind !== 'raster' || !l.visible) continue;
    x0 = Math.min(x0, l.x);
    y0 = Math.min(y0, l.y);
    x1 = Math.max(x1, l.x + l.width);
    y1 = Math.max(y1, l.y + l.height);
  }
  const r: Rect = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  const cap = { x: Math.floor(doc.width / 2) - MAX_SIDE / 2, y: Math.floor(doc.height / 2) - MAX_SIDE / 2, width: MAX_SIDE, height: MAX_SIDE };
  return intersect(r, cap) ?? { x: 0, y: 0, width: doc.width, height: doc.height };
}

interface Shown {
  canvas: HTMLCanvasElement;
  region: Rect;
}

/**
 * The visible layers as ONE bitmap from the shared compositor (the one the exporters and the init image use),
 * so groups, masks, blend modes and opacity look on canvas as they do in the PSD. Keeps showing the previous
 * composite until the next is ready.
 */
export function CompositeImage() {
  const doc = useStore((s) => s.undoHistory.doc);
  const dragged = useStore((s) => s.session.layerDrag?.id);
  const opacity = useStore((s) => s.session.layerOpacity);
  const view = useMemo(() => canvasDocument(doc, { layerDrag: dragged ? { id: dragged, dx: 0, dy: 0 } : undefined, layerOpacity: opacity }), [doc, dragged, opacity]);
  const [shown, setShown] = useState<Shown | null>(null);
  useEffect(() => {
    let stale = false;
    const region = canvasRegion(view);
    compositeFrame(view, region).then(
      (canvas) => { if (!stale) setShown({ canvas, region }); },
      (e: unknown) => { if (!stale) useStore.getState().setGenerate({ error: `The canvas could not be drawn: ${errorMessage(e)}` }); },
    );
    return () => void (stale = true);
  }, [view]);
  if (!shown) return null;
  return (
    <KImage image={shown.canvas} x={shown.region.x} y={shown.region.y} width={shown.region.width} height={shown.region.height}
      listening={false} perfectDrawEnabled={false} name="composite" />
  );
}

/** One layer drawn by itself (its mask applied) with its own opacity and mode; undefined until its pixels are decoded. */
function useLayerSource(layer: RasterLayer | undefined): HTMLCanvasElement | undefined {
  const [source, setSource] = useState<{ layer: RasterLayer; canvas: HTMLCanvasElement } | null>(null);
  useEffect(() => {
    if (!layer) return setSource(null);
    let stale = false;
    layerSource(layer).then((canvas) => { if (!stale) setSource({ layer, canvas }); }, () => undefined);
    return () => void (stale = true);
  }, [layer]);
  return source && source.layer === layer ? source.canvas : undefined;
}

function LayerAlone({ layer, dx = 0, dy = 0 }: { layer: RasterLayer; dx?: number; dy?: number }) {
  const canvas = useLayerSource(layer);
  if (!canvas) return null;
  return (
    <KImage image={canvas} x={layer.x + dx} y={layer.y + dy} width={layer.width} height={layer.height}
      opacity={layer.opacity} listening={false} perfectDrawEnabled={false}
      globalCompositeOperation={layer.blendMode === 'normal' ? 'source-over' : (layer.blendMode as GlobalCompositeOperation)} />
  );
}

/**
 * Control layers are not part of the picture (the compositor and the exports leave them out), but the canvas
 * shows the visible ones over it so they can be placed and checked.
 */
export function ControlLayers() {
  const layers = useStore((s) => s.undoHistory.doc.layers);
  const dragged = useStore((s) => s.session.layerDrag?.id);
  const controls = useMemo(() => layers.filter((l) => isControlLayer(l) && l.visible && l.id !== dragged) as RasterLayer[], [layers, dragged]);
  return <>{controls.map((l) => <LayerAlone key={l.id} layer={l} />)}</>;
}

/** The layer under a Move drag, on the fast-changing Konva layer (as Konva's performance notes advise). */
export function DraggedLayer() {
  const drag = useStore((s) => s.session.layerDrag);
  const layer = useStore((s) => (drag ? s.undoHistory.doc.layers.find((l) => l.id === drag.id) : undefined));
  if (!drag || layer?.kind !== 'raster') return null;
  return <LayerAlone layer={layer as RasterLayer} dx={drag.dx} dy={drag.dy} />;
}
