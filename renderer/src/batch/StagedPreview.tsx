import { useEffect, useState } from 'react';
import { Image as KImage } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';

/** The batch variation the chooser shows, drawn over the frame it was made for (not a layer yet). */
export function StagedPreview() {
  const shown = useStore(useShallow((s) => {
    const st = s.staging;
    const img = st && st.documentId === s.undoHistory.doc.id ? st.images[st.shown] : undefined;
    return img && st ? { imageId: img.imageId, x: st.frame.x, y: st.frame.y, width: img.width, height: img.height } : null;
  }));
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    if (!shown) return setImage(null);
    const i = new Image();
    i.onload = () => setImage(i);
    i.src = api.imageUrl(shown.imageId);
    return () => void (i.onload = null);
  }, [shown?.imageId]);
  if (!shown || !image) return null;
  return <KImage image={image} x={shown.x} y={shown.y} width={shown.width} height={shown.height} listening={false} perfectDrawEnabled={false} />;
}
