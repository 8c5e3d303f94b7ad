import { z } from 'zod';
import { apiEvent, carries, channel, noArgs } from '../channel.js';
import { DocumentSchema, type AtelierDocument } from '../document.js';
import { JobIdSchema } from '../ids.js';

/** Documents in the data folder, autosave and recovery, import of picked files, export. */

export const DocumentNameSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[^/\\:*?"<>|\u0000-\u001f]+$/, 'document name must not contain path characters')
  .refine((s) => s !== '.' && s !== '..' && !s.startsWith('.'), 'document name must not start with a dot');

/** What Export writes: flat images (with generation metadata), layered PSD / OpenRaster, or our own file. */
export const EXPORT_FORMATS = ['png', 'jpg', 'webp', 'psd', 'ora', 'atelier'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const documentChannels = {
  'documents:list': channel({
    method: 'listDocuments',
    request: z.object({}).strict(),
    response: carries<{ documents: { name: string; modifiedAt: number }[] }>(),
    args: noArgs,
  }),
  'documents:save': channel({
    method: 'saveDocument',
    request: z.object({ name: DocumentNameSchema, document: DocumentSchema }).strict(),
    response: carries<{ name: string }>(),
    args: (name: string, document: AtelierDocument) => ({ name, document }),
  }),
  'documents:open': channel({
    method: 'openDocument',
    request: z.object({ name: DocumentNameSchema }).strict(),
    response: carries<{ document: AtelierDocument }>(),
    args: (name: string) => ({ name }),
  }),
  'documents:autosave': channel({
    method: 'autosaveDocument',
    request: z.object({ document: DocumentSchema }).strict(),
    response: carries<{ savedAt: number }>(),
    args: (document: AtelierDocument) => ({ document }),
  }),
  /** A file the user picked (bytes, never a path): .atelier, layered .psd/.ora, or a flat image as one layer. */
  'documents:import': channel({
    method: 'importDocument',
    request: z.object({
      fileName: z.string().min(1).max(255).regex(/\.(atelier|psd|ora|png|jpe?g|webp)$/i, 'file must be .atelier, .psd, .ora, .png, .jpg or .webp'),
      bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= 2 ** 31, 'file must be 1 byte .. 2 GiB'),
      /** Names the `import:progress` events of this import (the caller picks it). */
      jobId: JobIdSchema.optional(),
    }).strict(),
    response: carries<{ document: AtelierDocument; warnings: string[] }>(),
    args: (fileName: string, bytes: Uint8Array, jobId?: string) => ({ fileName, bytes: bytes as Uint8Array<ArrayBuffer>, ...(jobId ? { jobId } : {}) }),
    upload: { path: 'import', maxBytes: 2 ** 31 },
  }),
  'documents:recover': channel({
    method: 'recoverDocument',
    request: z.object({ discard: z.boolean().default(false) }).strict(),
    response: carries<{ document: AtelierDocument | null }>(),
    args: (discard: boolean) => ({ discard }),
  }),
  /**
   * Writes the document in `format`. The host decides where: Electron asks with a save dialog (`path`
   * '' when the user cancelled); serve writes into the data folder and answers with `downloadUrl`.
   */
  'export:document': channel({
    method: 'exportDocument',
    request: z.object({
      name: DocumentNameSchema,
      format: z.enum(EXPORT_FORMATS),
      document: DocumentSchema,
      /** Flat formats only: render the generation frame instead of the document bounds. */
      frameOnly: z.boolean().default(false),
      /** Names the `export:progress` events of this export (the caller picks it). */
      jobId: JobIdSchema.optional(),
    }).strict(),
    response: carries<{ path: string; bytes: number; downloadUrl?: string }>(),
  }),
};

export const documentEvents = {
  /** Steps of a running export (images read, layers written, the file): `jobId` as given in the request. */
  'export:progress': apiEvent('onExportProgress', carries<{ jobId: string; done: number; total: number }>()),
  /** Steps of a running import (the file read, its layers stored): `jobId` as given in the request. */
  'import:progress': apiEvent('onImportProgress', carries<{ jobId: string; done: number; total: number }>()),
};
