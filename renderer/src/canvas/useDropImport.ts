import { useEffect } from 'react';
import { api, errorMessage } from '../api/api.js';
import { rasterLayer } from '../document/newDocument.js';
import { useStore } from '../state/store.js';
import { importDocumentFile } from '../app/documentActions.js';
import { opensAsDocument } from '../app/importJob.js';
import { guardUnsaved } from '../app/unsavedGuard.js';

const ACCEPTED = ['image/png', 'image/jpeg', 'image/webp'];

/**
 * Drag-and-drop onto the canvas: PNG/JPEG/WebP files each become a layer where they were dropped (one undo
 * step); a .atelier, .psd or .ora file opens as a document (asking first about unsaved changes), with progress.
 */
export function useDropImport(el: React.RefObject<HTMLDivElement | null>): void {
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    const drop = async (e: DragEvent) => {
      e.preventDefault();
      const files = [...(e.dataTransfer?.files ?? [])];
      const r = node.getBoundingClientRect();
      const { zoom, panX, panY } = useStore.getState();
      const x = Math.round((e.clientX - r.left - panX) / zoom);
      const y = Math.round((e.clientY - r.top - panY) / zoom);
      await importFiles(files, x, y);
    };
    node.addEventListener('dragover', over);
    node.addEventListener('drop', drop);
    return () => {
      node.removeEventListener('dragover', over);
      node.removeEventListener('drop', drop);
    };
  }, [el]);
}

export async function importFiles(files: File[], x: number, y: number): Promise<void> {
  const s = useStore.getState();
  const layers = [];
  for (const file of files) {
    if (opensAsDocument(file.name)) {
      guardUnsaved(() => void importDocumentFile(file));
      continue;
    }
    if (!ACCEPTED.includes(file.type)) {
      s.setGenerate({ error: `"${file.name}" is not a PNG, JPEG or WebP image.` });
      continue;
    }
    try {
      const put = await api.putImage(new Uint8Array(await file.arrayBuffer()));
      layers.push(rasterLayer(file.name.replace(/\.[^.]+$/, ''), put.imageId, { x, y, width: put.width, height: put.height }));
    } catch (e) {
      s.setGenerate({ error: `"${file.name}": ${errorMessage(e)}` });
    }
  }
  if (!layers.length) return;
  const doc = useStore.getState().undoHistory.doc;
  useStore.getState().perform({ type: 'batch', label: 'Import', commands: layers.map((layer, i) => ({ type: 'addLayer', layer, index: doc.layers.length + i })) }, 'Import images');
  useStore.getState().selectLayer(layers[layers.length - 1].id);
}
