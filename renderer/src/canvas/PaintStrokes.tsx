import type Konva from 'konva';
import { useEffect, useReducer, useRef } from 'react';
import { Group, Image as KImage } from 'react-konva';
import { canvasStrokes } from './colourStrokes.js';

/** Paint strokes not yet in their layer, over everything but the overlays; redraws only this Konva layer per segment. */
export function PaintStrokes() {
  const group = useRef<Konva.Group>(null);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const count = useRef(0);
  useEffect(() => canvasStrokes.onChange(() => {
    if (canvasStrokes.strokes.length !== count.current) {
      count.current = canvasStrokes.strokes.length;
      bump();
    } else group.current?.getLayer()?.batchDraw();
  }), []);
  return (
    <Group ref={group} listening={false}>
      {canvasStrokes.strokes.map((s) => <KImage key={s.id} image={s.canvas} x={0} y={0} listening={false} perfectDrawEnabled={false} />)}
    </Group>
  );
}
