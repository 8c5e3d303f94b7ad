import type { RasterLayer } from '../../../electron/contract/document.js';
import { api } from '../api/api.js';

/** File name a layer gets when it leaves the app (drag to the desktop, clipboard file formats). */
export function layerFileName(layer: RasterLayer): string {
  const base = layer.name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').trim().slice(0, 80) || 'layer';
  return `${base}.png`;
}

/**
 * Puts the layer's pixels on the system clipboard as a PNG, for pasting into Photoshop, Krita,
 * GIMP or a chat. The stored PNG is fetched by URL (pixels never travel through IPC).
 */
export async function copyLayerToClipboard(layer: RasterLayer): Promise<void> {
  const response = await fetch(api.imageUrl(layer.imageId));
  if (!response.ok) throw new Error(`could not read the layer's image (${response.status})`);
  const blob = new Blob([await response.arrayBuffer()], { type: 'image/png' });
  if (typeof ClipboardItem === 'undefined' || !navigator.clipboard?.write) {
    throw new Error('this browser cannot put images on the clipboard');
  }
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
}

/**
 * Dragging a layer's thumbnail out of the window drops its PNG as a file (Chromium's DownloadURL
 * drag type: the desktop, a file manager, or another app's window).
 */
export function startLayerDragOut(event: DragEvent, layer: RasterLayer): void {
  const url = new URL(api.imageUrl(layer.imageId), window.location.href).href;
  event.dataTransfer?.setData('DownloadURL', `image/png:${layerFileName(layer)}:${url}`);
  event.dataTransfer?.setData('text/uri-list', url);
}
