import type { Tool } from '../toolTypes.js';
import { frameDragging } from './dragging.js';
import { frameIdle } from './idle.js';

export const frameTool: Tool = { id: 'frame', cursor: 'crosshair', initial: 'idle', states: { idle: frameIdle, dragging: frameDragging } };
