import { paintIdle } from '../brush/idle.js';
import { paintPainting } from '../brush/painting.js';
import type { Tool } from '../toolTypes.js';

/** The Brush's states with erase on: same gesture, destination-out stamps. */
export const eraserTool: Tool = { id: 'eraser', cursor: 'none', initial: 'idle', states: { idle: paintIdle(true), painting: paintPainting(true) } };
