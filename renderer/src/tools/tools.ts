import type { ToolId } from '../state/viewSlice.js';
import { brushTool } from './brush/index.js';
import { eraserTool } from './eraser/index.js';
import { frameTool } from './frame/index.js';
import { handTool } from './hand/index.js';
import { moveTool } from './move/index.js';
import { paintTool } from './paint/index.js';
import { regionsTool } from './regions/index.js';
import type { ToolDefinition } from './toolTypes.js';

export const TOOLS: Record<ToolId, ToolDefinition> = { move: moveTool, frame: frameTool, brush: brushTool, eraser: eraserTool, hand: handTool, paint: paintTool, regions: regionsTool };
