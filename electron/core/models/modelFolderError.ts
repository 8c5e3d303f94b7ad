import { UserError } from '../../shared/userError.js';

/**
 * A model, ControlNet or upscaler folder that cannot be used as one (missing or truncated files, bad JSON,
 * weights the machine cannot hold): one line naming the file. The engine passes it on as an
 * EngineError with the same code (engine/modelFolders.ts).
 */
export class ModelFolderError extends UserError {
  declare readonly code: 'invalid-model';
  constructor(message: string) {
    super(message, 'invalid-model');
  }
}
