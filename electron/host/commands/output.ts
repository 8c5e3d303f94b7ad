import { basename, dirname, extname, join } from 'node:path';
import type { GenerationMetadata } from '../../core/export/generationMetadata.js';
import { encodeImage, formatFromPath } from '../../core/export/pngMetadata.js';
import type { RgbaImage } from '../../core/image/types.js';
import { writeFileAtomic as writeAtomic } from '../../core/files/atomicWrite.js';
import { CliError } from './command.js';

/** Batch item i of `out.png` goes to `out.png`, `out-2.png`, … so a batch never overwrites itself. */
export function outputPathFor(out: string, index: number, count: number): string {
  if (count === 1 || index === 0) return out;
  const ext = extname(out);
  return join(dirname(out), `${basename(out, ext)}-${index + 1}${ext}`);
}

/** The core's atomic write (a failed write, full disk, never leaves a half file at `path`), with the CLI's messages. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, bytes, { createFolder: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new CliError(`disk full: could not write ${path}`);
    if (code === 'ENOENT') throw new CliError(`folder does not exist: ${dirname(path)}`);
    throw new CliError(`could not write ${path}: ${code ?? error}`);
  }
}

export function checkImageOutput(out: string): void {
  if (!formatFromPath(out)) {
    throw new CliError(`--out ${out}: unsupported extension "${extname(out) || '(none)'}" (use .png, .jpg, .webp, .psd, .ora or .atelier)`);
  }
}

export async function writeImage(out: string, image: RgbaImage, meta: GenerationMetadata | undefined, quality?: number): Promise<void> {
  const format = formatFromPath(out);
  if (!format) throw new CliError(`--out ${out}: unsupported extension`);
  const bytes = await encodeImage(image, format, quality === undefined ? {} : { quality }, meta);
  await writeFileAtomic(out, bytes);
}
