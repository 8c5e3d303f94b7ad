import type { Tool } from '../toolTypes.js';
import { paintColourIdle } from './idle.js';
import { paintColourPainting } from './painting.js';

/** Paint: colour strokes onto the selected layer (or a new "Paint" layer) — what Live mode follows. */
export const paintTool: Tool = { id: 'paint', cursor: 'none', initial: 'idle', states: { idle: paintColourIdle, painting: paintColourPainting } };
