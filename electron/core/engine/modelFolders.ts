import { readControlNetFolder as readControlNet, type ControlNetFolder } from '../models/controlNetFolder.js';
import { readModelFolder as readModel, type ModelLayout } from '../models/modelFolder.js';
import { ModelFolderError } from '../models/modelFolderError.js';
import { EngineError } from './types.js';

/**
 * The engine reads model and ControlNet folders through here, so a folder that cannot be used reaches
 * the engine's callers as an EngineError ('invalid-model', same sentence) like every other engine failure,
 * while models/ keeps its own error and never imports engine/.
 */
function asEngineError<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw e instanceof ModelFolderError ? new EngineError(e.message, e.code) : e;
  }
}

export const readModelFolder = (dir: string): ModelLayout => asEngineError(() => readModel(dir));
export const readControlNetFolder = (dir: string): ControlNetFolder => asEngineError(() => readControlNet(dir));
