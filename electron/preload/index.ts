import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiChannel, ApiEventName, ApiEvents, ApiRequest, ApiResponses, AtelierApi } from '../contract/api.js';

/**
 * The one API the sandboxed renderer gets: named functions only, each invoking exactly one declared
 * channel; no ipcRenderer, no generic send. Errors come back as data and are rethrown as one-line Errors.
 */
type Result<T> = { ok: true; value: T } | { ok: false; error: { message: string; code: string } };

async function call<C extends ApiChannel>(channel: C, payload: ApiRequest<C>): Promise<ApiResponses[C]> {
  const r = (await ipcRenderer.invoke(channel, payload)) as Result<ApiResponses[C]>;
  if (r.ok) return r.value;
  const e = new Error(r.error.message);
  e.name = r.error.code;
  throw e;
}

function on<E extends ApiEventName>(event: E, cb: (e: ApiEvents[E]) => void): () => void {
  const listener = (_e: IpcRendererEvent, payload: ApiEvents[E]) => cb(payload);
  ipcRenderer.on(event, listener);
  return () => void ipcRenderer.removeListener(event, listener);
}

const api: AtelierApi = {
  transport: 'electron',
  listModels: () => call('models:list', {}),
  tokenize: (modelId, text) => call('prompt:tokenize', { modelId, text }),
  estimateMemory: (req) => call('models:estimate', req),
  putImage: (bytes) => call('images:put', { bytes: bytes as Uint8Array<ArrayBuffer> }),
  startGeneration: (req) => call('generation:start', req),
  cancelGeneration: (jobId) => call('generation:cancel', { jobId }),
  keepLiveDraft: (req) => call('generation:keepDraft', req),
  listUpscalers: () => call('upscale:list', {}),
  startUpscale: (req) => call('upscale:start', req),
  onUpscaleDone: (cb) => on('upscale:done', cb),
  listHistory: (req) => call('history:list', req),
  listHistoryModels: () => call('history:models', {}),
  setHistoryFavourite: (id, favourite, imageId) => call('history:favourite', { id, favourite, ...(imageId ? { imageId } : {}) }),
  deleteHistoryEntry: (req) => call('history:delete', req),
  rerunHistoryEntry: (req) => call('history:rerun', req),
  importHistoryPng: (req) => call('history:import', req),
  modelLibrary: () => call('models:library', {}),
  pullModel: (catalogId) => call('models:pull', { catalogId }),
  pauseModelPull: (jobId) => call('models:pause', { jobId }),
  discardModelPull: (catalogId) => call('models:discard', { catalogId }),
  importModelFolder: (dir) => call('models:import', dir ? { dir } : {}),
  onModelProgress: (cb) => on('models:progress', cb),
  onModelDone: (cb) => on('models:done', cb),
  onModelFailed: (cb) => on('models:failed', cb),
  listDocuments: () => call('documents:list', {}),
  saveDocument: (name, document) => call('documents:save', { name, document }),
  openDocument: (name) => call('documents:open', { name }),
  autosaveDocument: (document) => call('documents:autosave', { document }),
  importDocument: (fileName, bytes) => call('documents:import', { fileName, bytes: bytes as Uint8Array<ArrayBuffer> }),
  recoverDocument: (discard) => call('documents:recover', { discard }),
  exportDocument: (req) => call('export:document', req),
  listStyles: () => call('styles:list', {}),
  listLoras: () => call('loras:list', {}),
  importLora: (fileName, bytes) => call('loras:import', { fileName, bytes: bytes as Uint8Array<ArrayBuffer> }),
  saveStyle: (style) => call('styles:save', { style }),
  deleteStyle: (name) => call('styles:delete', { name }),
  imageUrl: (imageId) => `atelier://image/${imageId}.png`,
  thumbnailUrl: (imageId) => `atelier://thumb/${imageId}.webp`,
  onGenerationProgress: (cb) => on('generation:progress', cb),
  onGenerationDone: (cb) => on('generation:done', cb),
  onGenerationFailed: (cb) => on('generation:failed', cb),
};

contextBridge.exposeInMainWorld('atelier', api);
