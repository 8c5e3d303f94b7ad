import type { Tool } from '../toolTypes.js';
import { regionsDrawing } from './drawing.js';
import { regionsIdle } from './idle.js';

export const regionsTool: Tool = { id: 'regions', cursor: 'crosshair', initial: 'idle', states: { idle: regionsIdle, drawing: regionsDrawing } };
