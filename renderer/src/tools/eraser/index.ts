import { maskBrushTool } from '../brush/index.js';

/** The Brush's states with erase on: same gesture, destination-out stamps. */
export const eraserTool = maskBrushTool(true);
