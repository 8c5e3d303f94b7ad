import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import type { AtelierDocument } from '../../contract/document.js';
import { openDocument, saveDocumentAs } from '../document/documentIO.js';
import { readDocumentFile, referencedImageIds, writeDocumentFile } from '../document/documentFile.js';
import { ImageStore } from '../store/imageStore.js';
import { UserError } from '../../shared/userError.js';

/**
 * The heavy document work — packing and unpacking `.atelier` files (every layer PNG read, hashed,
 * zipped), PSD/ORA/flat export (composite + writer) and import — as plain tasks over the data folder.
 * Hosts run them in a worker thread (documentWorker.ts) so Electron main and serve's HTTP thread stay
 * responsive; the CLI runs them in place. A task names files and images by path and id only, so what
 * crosses the thread boundary is a document's JSON, never its pixels.
 */

export type DocumentTask =
  /** Layered or flat export in the format the path's extension names. */
  | { kind: 'export'; path: string; document: AtelierDocument; frameOnly: boolean; appVersion?: string }
  /** An `.atelier` file with the document's images from the image store (save, autosave). */
  | { kind: 'pack'; path: string; document: AtelierDocument }
  /** An `.atelier` file read back; its images go into the image store (open, recover). */
  | { kind: 'unpack'; path: string }
  /** Any openable file (.atelier, .psd, .ora, an image) as a new document; images into the store. `name`: the user's file name. */
  | { kind: 'import'; path: string; name: string };

export interface DocumentTaskResults {
  export: { bytes: number };
  pack: { bytes: number };
  unpack: { document: AtelierDocument };
  import: { document: AtelierDocument; warnings: string[] };
}
export type DocumentTaskResult<K extends DocumentTask['kind']> = DocumentTaskResults[K];

/** `done` of `total` steps (images read, layers decoded, the file written); `total` may grow once the work is known. */
export type DocumentProgress = (done: number, total: number) => void;

export class DocumentError extends UserError {
  constructor(message: string, code = 'invalid-input') {
    super(message, code);
  }
}

/** Runs one task to the end in the calling thread. */
export async function runDocumentTask<T extends DocumentTask>(dataDir: string, task: T, progress: DocumentProgress = () => undefined): Promise<DocumentTaskResult<T['kind']>> {
  const images = new ImageStore(dataDir);
  type R = DocumentTaskResult<T['kind']>;
  switch (task.kind) {
    case 'pack': {
      const total = referencedImageIds(task.document).size + 1;
      const pngs = await readImages(images, task.document, (n) => progress(n, total));
      await mkdir(dirname(task.path), { recursive: true });
      await writeDocumentFile(task.path, task.document, pngs);
      progress(total, total);
      return { bytes: (await stat(task.path)).size } as R;
    }
    case 'export': {
      // Steps: read each image, then the exporters' decodes (composite, then each layer again), then the file.
      const count = referencedImageIds(task.document).size;
      const total = count * 3 + 1;
      const pngs = await readImages(images, task.document, (n) => progress(n, total));
      const counted = countingReads(pngs, (n) => progress(Math.min(count + n, total - 1), total));
      await mkdir(dirname(task.path), { recursive: true });
      const bytes = await saveDocumentAs(task.path, task.document, counted, { frameOnly: task.frameOnly, appVersion: task.appVersion });
      progress(total, total);
      return { bytes } as R;
    }
    case 'unpack': {
      progress(0, 2);
      const { document, images: pngs } = await readDocumentFile(task.path);
      await putImages(images, pngs.values(), pngs.size, progress);
      return { document } as R;
    }
    case 'import': {
      progress(0, 2);
      const name = basename(task.name, extname(task.name)).slice(0, 255);
      const result = await openDocument(task.path, { name }).catch((e: unknown) => {
        // Messages name the file: the user's name, not our temp copy.
        if (e instanceof Error) e.message = e.message.split(basename(task.path)).join(basename(task.name));
        throw e;
      });
      await putImages(images, result.images.values(), result.images.size, progress);
      return { document: { ...result.document, name }, warnings: result.warnings } as R;
    }
  }
}

async function readImages(store: ImageStore, doc: AtelierDocument, onRead: (count: number) => void): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  onRead(0);
  for (const id of referencedImageIds(doc)) {
    try {
      out.set(id, await store.read(id));
    } catch {
      throw new DocumentError(`Cannot save: image ${id.slice(0, 12)}… of this document is missing from the image store.`, 'not-found');
    }
    onRead(out.size);
  }
  return out;
}

async function putImages(store: ImageStore, pngs: Iterable<Uint8Array>, count: number, progress: DocumentProgress): Promise<void> {
  let done = 0;
  progress(1, count + 1);
  for (const png of pngs) {
    await store.put(png);
    progress(1 + ++done, count + 1);
  }
}

/** The same map, telling `onRead` how many reads it has served (the exporters' per-layer decodes). */
function countingReads(pngs: Map<string, Uint8Array>, onRead: (reads: number) => void): ReadonlyMap<string, Uint8Array> {
  let reads = 0;
  return new Proxy(pngs, {
    get(target, key) {
      if (key === 'get') {
        return (id: string) => {
          const v = target.get(id);
          if (v) onRead(++reads);
          return v;
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
