import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlNetSummary, ModelSummary } from '../../contract/api.js';
import { listControlNetFolders, readControlNetFolder } from '../models/controlNetFolder.js';
import { listModelFolders } from '../models/modelLibrary.js';
import { readModelFolder } from '../models/modelFolder.js';

/**
 * The models the UI may pick: every folder (one level below each root, or a root itself) holding a
 * `unet/model.onnx`. Ids are the folder names; the renderer never sees or sends a path.
 */
export class InstalledModels {
  private readonly dirs = new Map<string, string>();
  /** ControlNet folders under the same roots (issue 20), by their own ids. */
  private readonly controlNetDirs = new Map<string, string>();

  constructor(private readonly roots: string[]) {
    // The model library owns discovery (ids, skipped staging folders); this class only maps ids to folders.
    this.rescan();
  }

  /** Lists again after a pull or an import; `extraRoots` (pull folder, imported folders) join the roots given at start. */
  rescan(extraRoots: string[] = []): void {
    this.dirs.clear();
    this.controlNetDirs.clear();
    const roots = [...this.roots, ...extraRoots];
    for (const { id, dir } of listModelFolders(roots)) this.add(id, dir);
    for (const { id, dir } of listControlNetFolders(roots)) this.controlNetDirs.set(id, dir);
  }

  /** The ControlNets a generation's settings.controls may name. */
  listControlNets(): ControlNetSummary[] {
    return [...this.controlNetDirs.entries()].map(([id, dir]) => {
      try {
        const f = readControlNetFolder(dir);
        return { id, label: f.label, ...(f.family ? { family: f.family } : {}) };
      } catch {
        return { id, label: id };
      }
    });
  }

  controlNetDirOf(id: string): string | undefined {
    return this.controlNetDirs.get(id);
  }

  private add(id: string, dir: string): void {
    let unique = id;
    for (let i = 2; this.dirs.has(unique); i++) unique = `${id}-${i}`;
    this.dirs.set(unique, dir);
  }

  list(): ModelSummary[] {
    return [...this.dirs.entries()].map(([id, dir]) => ({ id, name: id, ...describe(dir) }));
  }

  /** The folder behind an id, or undefined. */
  dirOf(id: string): string | undefined {
    return this.dirs.get(id);
  }

  first(prefer?: string): string | null {
    if (prefer && this.dirs.has(prefer)) return prefer;
    return this.dirs.keys().next().value ?? null;
  }
}

/**
 * Family, label and recommended settings from the folder; a folder that cannot be read still lists by
 * name, its family guessed from a second text encoder.
 */
function describe(dir: string): Pick<ModelSummary, 'family' | 'label' | 'recommended'> {
  try {
    const layout = readModelFolder(dir);
    return { family: layout.family, label: layout.label, recommended: layout.recommended };
  } catch {
    return { family: existsSync(join(dir, 'text_encoder_2')) ? 'sdxl' : 'sd1' };
  }
}
