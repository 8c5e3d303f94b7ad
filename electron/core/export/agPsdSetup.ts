import { initializeCanvas } from 'ag-psd';

/**
 * ag-psd allocates decoded pixels through a `createImageData` hook that defaults to a browser canvas.
 * In Node there is no canvas: hand it plain arrays instead, and make any real canvas request fail
 * loudly (we only ever use the raw `imageData` fields). Imported once by the PSD modules.
 */
initializeCanvas(
  () => {
    throw new Error('no canvas in Atelier: PSD pixels travel as raw imageData');
  },
  (width, height) => ({ width, height, data: new Uint8ClampedArray(width * height * 4), colorSpace: 'srgb' }) as never,
);
