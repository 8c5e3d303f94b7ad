import type { Tool } from '../toolTypes.js';
import { handIdle } from './idle.js';
import { handPanning } from './panning.js';

export const handTool: Tool = { id: 'hand', cursor: 'grab', initial: 'idle', states: { idle: handIdle, panning: handPanning } };
