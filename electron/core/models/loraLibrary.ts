import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { combineLoras, MAX_LORAS, type LoraInfo, type LoraRef } from '../../contract/lora.js';
import type { GenerationSettings } from '../../contract/generation.js';
import { readLoraLayers } from './loraFile.js';
import type { LoraRequest } from '../engine/lora/loraMerger.js';
import { parseSafetensors, readSafetensors, SafetensorsError, type SafetensorsFile } from './safetensors.js';
import { UserError } from '../../shared/userError.js';
import { replaceFileAtomicSync } from '../files/atomicWrite.js';

export class LoraLibraryError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

const hashes = new Map<string, { stamp: string; sha256: string }>();

/** SHA-256 of a file, remembered per path while its size and mtime stay the same. */
export function fileSha256(file: string): string {
  const st = statSync(file);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const known = hashes.get(file);
  if (known?.stamp === stamp) return known.sha256;
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  hashes.set(file, { stamp, sha256 });
  return sha256;
}

export function loraNameOf(file: string): string {
  return basename(file).replace(/\.safetensors$/i, '');
}

/**
 * The user's LoRAs: `.safetensors` files in `<data>/loras`, named by their file name. Resolves the
 * LoRAs of a generation (the picker's list plus the prompt's `<lora:…>` tags) to files, pinning
 * each by SHA-256 so history can re-run exactly.
 */
export class LoraLibrary {
  constructor(readonly dir: string) {}

  list(): LoraInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => /\.safetensors$/i.test(f))
      .sort()
      .map((f) => {
        const file = join(this.dir, f);
        return { name: loraNameOf(f), sha256: fileSha256(file), bytes: statSync(file).size };
      });
  }

  /** A picked file's bytes (the app's import), checked like a file; written atomically. */
  importBytes(fileName: string, bytes: Uint8Array): LoraInfo {
    checkLora(fileName, () => parseSafetensors(bytes));
    mkdirSync(this.dir, { recursive: true });
    const name = loraNameOf(fileName);
    const dest = join(this.dir, `${name}.safetensors`);
    replaceFileAtomicSync(dest, (tmp) => writeFileSync(tmp, bytes));
    return { name, sha256: fileSha256(dest), bytes: statSync(dest).size };
  }

  /** Copies a LoRA file into the library after checking it holds LoRA layers; same name replaces. */
  import(file: string): LoraInfo {
    checkLora(basename(file), () => readSafetensors(file));
    mkdirSync(this.dir, { recursive: true });
    const name = loraNameOf(file);
    const dest = join(this.dir, `${name}.safetensors`);
    replaceFileAtomicSync(dest, (tmp) => copyFileSync(file, tmp));
    return { name, sha256: fileSha256(dest), bytes: statSync(dest).size };
  }

  /** The files of these references (found as resolve() finds them), e.g. for a job's memory check. */
  requestsFor(refs: readonly LoraRef[]): LoraRequest[] {
    return refs.map((ref) => ({ name: ref.name, file: this.fileFor(ref), strength: ref.strength }));
  }

  /** The library file for a reference: by name, or, when the name's file changed, by its hash. */
  private fileFor(ref: LoraRef): string {
    // A name is a file name in the library: never a path (a prompt's `<lora:../../x>` or a crafted request).
    if (/[/\\]/.test(ref.name) || ref.name === '.' || ref.name === '..') throw new LoraLibraryError(`"${ref.name}" is not a LoRA name: LoRAs are named by their file in ${this.dir}`);
    const byName = join(this.dir, `${ref.name}.safetensors`);
    if (existsSync(byName) && (!ref.sha256 || fileSha256(byName) === ref.sha256)) return byName;
    if (ref.sha256) {
      const same = this.list().find((l) => l.sha256 === ref.sha256);
      if (same) return join(this.dir, `${same.name}.safetensors`);
      throw new LoraLibraryError(existsSync(byName)
        ? `LoRA "${ref.name}" has changed since (its SHA-256 differs), so this cannot be re-run exactly; put the original file back in ${this.dir}`
        : `LoRA "${ref.name}" (SHA-256 ${ref.sha256.slice(0, 12)}…) is not in ${this.dir}`);
    }
    throw new LoraLibraryError(`There is no LoRA named "${ref.name}" in ${this.dir}`);
  }

  /**
   * Settings with their `loras` completed (picker + prompt tags, each with its SHA-256), and the
   * files the engine merges. `extra`: files given outside the library (the CLI's --lora).
   */
  resolve(settings: GenerationSettings, extra: ReadonlyArray<{ file: string; strength: number }> = []): { settings: GenerationSettings; loras: LoraRequest[] } {
    const files = new Map<string, string>();
    const picked: LoraRef[] = [...(settings.loras ?? [])];
    for (const e of extra) {
      if (!existsSync(e.file)) throw new LoraLibraryError(`LoRA file ${e.file} does not exist`);
      const name = loraNameOf(e.file);
      files.set(name, e.file);
      const i = picked.findIndex((p) => p.name === name);
      const ref = { name, strength: e.strength, sha256: fileSha256(e.file) };
      if (i >= 0) picked[i] = ref;
      else picked.push(ref);
    }
    const refs = combineLoras(picked, settings.prompt);
    if (refs.length === 0) return { settings, loras: [] };
    if (refs.length > MAX_LORAS) throw new LoraLibraryError(`A generation takes at most ${MAX_LORAS} LoRAs (${refs.length} asked for)`);
    const loras: LoraRequest[] = [];
    const pinned: LoraRef[] = [];
    for (const ref of refs) {
      const file = files.get(ref.name) ?? this.fileFor(ref);
      const sha256 = fileSha256(file);
      loras.push({ name: ref.name, file, strength: ref.strength });
      pinned.push({ name: ref.name, strength: ref.strength, sha256 });
    }
    return { settings: { ...settings, loras: pinned }, loras };
  }
}

/** Throws LoraLibraryError (one sentence) unless the file holds LoRA layers we can merge. */
function checkLora(fileName: string, read: () => SafetensorsFile): void {
  let contents;
  try {
    contents = readLoraLayers(read());
  } catch (error) {
    if (error instanceof SafetensorsError) throw new LoraLibraryError(`${fileName} cannot be read: ${error.message}`);
    throw error;
  }
  if (contents.layers.length === 0) {
    const kinds = [...contents.unsupported.keys()];
    throw new LoraLibraryError(kinds.length > 0 ? `${fileName} is a ${kinds.join(' / ')} file, which Atelier cannot merge yet` : `${fileName} holds no LoRA layers`);
  }
}

export function loraLibraryFor(dataDir: string): LoraLibrary {
  return new LoraLibrary(join(dataDir, 'loras'));
}
