import { Image as KImage } from 'react-konva';
import { useStore } from '../state/store.js';

/** The live draft over the frame it was made for; hidden with "Show live preview" off to see the canvas beneath. */
export function LivePreview() {
  const r = useStore((s) => (s.liveOn && s.liveVisible ? s.liveResult : null));
  if (!r) return null;
  return <KImage image={r.image} x={r.frame.x} y={r.frame.y} width={r.frame.width} height={r.frame.height} listening={false} perfectDrawEnabled={false} />;
}
