import type { DocumentRegion, GenerationFrame } from '../../../electron/contract/document.js';
import { MAX_REGIONS, type Region } from '../../../electron/contract/generation.js';
import type { Rect } from './geometry.js';

/** Regions snap to the 8-px latent grid the engine blends on, so what is drawn is what the model gets. */
const GRID = 8;

/** The rectangle between two pointer positions, snapped to the grid (empty when narrower than a cell). */
export function regionRect(x0: number, y0: number, x1: number, y1: number): Rect {
  const left = Math.round(Math.min(x0, x1) / GRID) * GRID;
  const top = Math.round(Math.min(y0, y1) / GRID) * GRID;
  const right = Math.round(Math.max(x0, x1) / GRID) * GRID;
  const bottom = Math.round(Math.max(y0, y1) / GRID) * GRID;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The topmost (last drawn) region under a point. */
export function regionAt(regions: readonly DocumentRegion[], x: number, y: number): DocumentRegion | undefined {
  for (let i = regions.length - 1; i >= 0; i--) {
    const r = regions[i]!;
    if (x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height) return r;
  }
  return undefined;
}

/**
 * The document's regions as a generation sends them: relative to the frame, clipped to it; regions
 * outside the frame or without a prompt are left out (at most MAX_REGIONS).
 */
export function regionsForFrame(regions: readonly DocumentRegion[], frame: GenerationFrame): Region[] {
  const out: Region[] = [];
  for (const r of regions) {
    const x0 = Math.max(r.x, frame.x);
    const y0 = Math.max(r.y, frame.y);
    const x1 = Math.min(r.x + r.width, frame.x + frame.width);
    const y1 = Math.min(r.y + r.height, frame.y + frame.height);
    if (x1 <= x0 || y1 <= y0 || r.prompt.trim() === '') continue;
    const region: Region = { x: x0 - frame.x, y: y0 - frame.y, width: x1 - x0, height: y1 - y0, prompt: r.prompt.trim() };
    if (r.negativePrompt?.trim()) region.negativePrompt = r.negativePrompt;
    out.push(region);
  }
  return out.slice(0, MAX_REGIONS);
}
