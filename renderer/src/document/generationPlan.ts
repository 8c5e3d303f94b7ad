import { EMPTY_ALPHA, type GenerationMode } from '../../../electron/contract/generation.js';

/**
 * What Generate should do for the frame, from two same-sized channels: the painted mask (255 = repaint)
 * and the alpha of the visible layers composited in the frame. Pure; the caller reads the pixels.
 *  - painted mask in the frame → inpaint (mask = painted ∪ empty area, so outpainting comes along);
 *  - no mask, frame partly empty → outpaint: inpaint with mask = the empty area;
 *  - no mask, frame fully covered, "use canvas as init" on → img2img;
 *  - otherwise (frame empty, or init off) → txt2img.
 */
export interface GenerationPlan {
  mode: GenerationMode;
  /** inpaint only: the mask the engine gets (255 = repaint). */
  mask?: Uint8Array;
}


export function planGeneration(painted: Uint8Array, canvasAlpha: Uint8Array, useCanvasAsInit: boolean): GenerationPlan {
  if (painted.length !== canvasAlpha.length) throw new Error('mask and canvas sizes differ');
  let paintedAny = false;
  let emptyCount = 0;
  for (let i = 0; i < painted.length; i++) {
    if (painted[i] !== 0) paintedAny = true;
    if (canvasAlpha[i] < EMPTY_ALPHA) emptyCount++;
  }
  const fullyEmpty = emptyCount === painted.length;
  if (fullyEmpty) return { mode: 'txt2img' };
  if (paintedAny || emptyCount > 0) {
    const mask = new Uint8Array(painted.length);
    for (let i = 0; i < mask.length; i++) mask[i] = canvasAlpha[i] < EMPTY_ALPHA ? 255 : painted[i];
    return { mode: 'inpaint', mask };
  }
  return { mode: useCanvasAsInit ? 'img2img' : 'txt2img' };
}
