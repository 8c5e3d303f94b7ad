import type { Tool } from '../toolTypes.js';
import { moveDragging } from './dragging.js';
import { moveIdle } from './idle.js';

export const moveTool: Tool = { id: 'move', cursor: 'move', initial: 'idle', states: { idle: moveIdle, dragging: moveDragging } };
