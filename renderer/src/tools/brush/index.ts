import type { Tool } from '../toolTypes.js';
import { paintIdle } from './idle.js';
import { paintPainting } from './painting.js';

export const brushTool: Tool = { id: 'brush', cursor: 'none', initial: 'idle', states: { idle: paintIdle(false), painting: paintPainting(false) } };
