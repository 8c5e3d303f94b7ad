import Konva from 'konva';
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { Image as KImage, Layer, Rect, Stage, Text, Circle } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';
import type { RasterLayer } from '../../../electron/contract/document.js';
import { useStore } from '../state/store.js';
import { CompositeImage, ControlLayers, DraggedLayer } from './CompositeImage.js';
import { MaskBitmap } from './maskBitmap.js';
import { paintSurface } from '../state/paintSurfaceRegistry.js';
import { cursor, cursorListeners, useToolInput } from './useToolInput.js';
import { useDropImport } from './useDropImport.js';
import { TOOLS } from '../tools/tools.js';
import { LivePreview } from '../live/LivePreview.js';
import { StagedPreview } from '../batch/StagedPreview.js';
import { PaintStrokes } from './PaintStrokes.js';
import { RegionsOverlay } from './RegionsOverlay.js';

Konva.pixelRatio = Math.min(2, window.devicePixelRatio || 1);

/** Checkerboard for transparent canvas areas, made once. */
function checkerPattern(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = c.height = 16;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#3a3b40';
  ctx.fillRect(0, 0, 16, 16);
  ctx.fillStyle = '#313236';
  ctx.fillRect(0, 0, 8, 8);
  ctx.fillRect(8, 8, 8, 8);
  return c;
}

function SelectionOutline({ zoom }: { zoom: number }) {
  const layer = useStore((s) => s.undoHistory.doc.layers.find((l) => l.id === s.selectedLayerId) as RasterLayer | undefined);
  const drag = useStore((s) => s.session.layerDrag);
  if (!layer || layer.kind !== 'raster') return null;
  const dx = drag?.id === layer.id ? drag.dx : 0;
  const dy = drag?.id === layer.id ? drag.dy : 0;
  return <Rect x={layer.x + dx} y={layer.y + dy} width={layer.width} height={layer.height} stroke="#7aa7ff" strokeWidth={1 / zoom} dash={[4 / zoom, 4 / zoom]} listening={false} />;
}

function PreviewImage() {
  const job = useStore(useShallow((s) => (s.job ? { url: s.job.previewUrl, frame: s.job.frame } : null)));
  const [img, setImg] = useReducer((_: HTMLImageElement | null, n: HTMLImageElement | null) => n, null);
  useEffect(() => {
    if (!job?.url) return setImg(null);
    const i = new Image();
    i.onload = () => setImg(i);
    i.src = job.url;
  }, [job?.url]);
  if (!job || !img) return null;
  return <KImage image={img} x={job.frame.x} y={job.frame.y} width={job.frame.width} height={job.frame.height} opacity={0.9} listening={false} imageSmoothingEnabled />;
}

function FrameOverlay({ zoom }: { zoom: number }) {
  const frame = useStore((s) => s.session.frame ?? s.undoHistory.doc.generationFrame);
  const busy = useStore((s) => s.job !== null);
  const handle = 7 / zoom;
  const corners = [
    [frame.x, frame.y], [frame.x + frame.width, frame.y], [frame.x, frame.y + frame.height], [frame.x + frame.width, frame.y + frame.height],
  ];
  return (
    <>
      <Rect x={frame.x} y={frame.y} width={frame.width} height={frame.height} stroke={busy ? '#ffb84d' : '#4f8cff'} strokeWidth={2 / zoom} dash={[8 / zoom, 5 / zoom]} listening={false} />
      {corners.map(([x, y], i) => (
        <Rect key={i} x={x - handle / 2} y={y - handle / 2} width={handle} height={handle} fill="#ffffff" stroke="#4f8cff" strokeWidth={1 / zoom} listening={false} />
      ))}
      <Text x={frame.x} y={frame.y - 18 / zoom} text={`${frame.width} × ${frame.height}`} fontSize={12 / zoom} fill="#9fb8ff" listening={false} />
    </>
  );
}

/** The brush outline under the pointer, for tools that say they are brushes (size and colour from the tool's hints). */
function BrushCursor({ zoom }: { zoom: number }) {
  const { tool, size } = useStore(useShallow((s) => ({ tool: s.tool, size: s.brushSize })));
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    cursorListeners.add(bump);
    return () => void cursorListeners.delete(bump);
  }, []);
  const brush = TOOLS[tool].brush;
  if (!brush || !cursor.inside) return null;
  return <Circle x={cursor.x} y={cursor.y} radius={size / 2} stroke={brush.outline} strokeWidth={1 / zoom} listening={false} />;
}

/** The canvas: Konva for layers and overlays (2 layers, nothing listening), the mask as a DOM bitmap on top. */
export function CanvasView() {
  const host = useRef<HTMLDivElement>(null);
  const maskHost = useRef<HTMLDivElement>(null);
  const { zoom, panX, panY, vw, vh, tool } = useStore(useShallow((s) => ({ zoom: s.zoom, panX: s.panX, panY: s.panY, vw: s.viewportWidth, vh: s.viewportHeight, tool: s.tool })));
  const maskHidden = useStore((s) => s.maskHidden);
  const docSize = useStore(useShallow((s) => ({ width: s.undoHistory.doc.width, height: s.undoHistory.doc.height })));
  const pattern = useMemo(checkerPattern, []);
  const toolStatus = useToolInput(host);
  useDropImport(host);

  useEffect(() => {
    const node = host.current;
    if (!node) return;
    const ro = new ResizeObserver(() => useStore.getState().setViewport(node.clientWidth, node.clientHeight));
    ro.observe(node);
    useStore.getState().setViewport(node.clientWidth, node.clientHeight);
    useStore.getState().zoomToFit();
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const node = maskHost.current;
    if (!node) return;
    const surface = paintSurface();
    if (!(surface instanceof MaskBitmap)) return;
    node.appendChild(surface.canvas);
    surface.canvas.className = 'mask-bitmap';
    return () => void node.removeChild(surface.canvas);
  }, []);

  return (
    <div ref={host} className="canvas-host" data-tool={tool} data-zoom={zoom} data-pan-x={panX} data-pan-y={panY} data-doc-width={docSize.width} data-doc-height={docSize.height} role="application" aria-label="Canvas" style={{ cursor: TOOLS[tool].cursor }}>
      <Stage width={vw} height={vh} scaleX={zoom} scaleY={zoom} x={panX} y={panY} listening={false}>
        <Layer listening={false} imageSmoothingEnabled={zoom < 1}>
          {/* A plain border, not a shadow: blurred shadows cost tens of ms per redraw in software rendering. */}
          <Rect x={0} y={0} width={docSize.width} height={docSize.height} fillPatternImage={pattern as unknown as HTMLImageElement} fillPatternScaleX={1 / zoom} fillPatternScaleY={1 / zoom} stroke="#0c0d0f" strokeWidth={3 / zoom} listening={false} perfectDrawEnabled={false} />
          <CompositeImage />
          <ControlLayers />
        </Layer>
        {/* Changes every step while generating: kept apart from the layer images so a preview redraws only this. */}
        <Layer listening={false}>
          <PreviewImage />
          <LivePreview />
          <StagedPreview />
          <PaintStrokes />
          <DraggedLayer />
          <SelectionOutline zoom={zoom} />
          <RegionsOverlay zoom={zoom} />
          <FrameOverlay zoom={zoom} />
          <BrushCursor zoom={zoom} />
        </Layer>
      </Stage>
      <div ref={maskHost} className="mask-host" data-hidden={maskHidden || undefined}
        style={{ transform: `matrix(${zoom},0,0,${zoom},${panX},${panY})`, ...(maskHidden ? { visibility: 'hidden' as const } : {}) }} />
      <div className="tool-status" aria-label="Tool hint">{toolStatus}</div>
    </div>
  );
}
