import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlNetSummary, ModelSummary } from '../../contract/api.js';
import { listControlNetFolders, readControlNetFolder } from '../models/controlNetFolder.js';
import { describeModelFolders, listModelFolders, type InstalledModel } from '../models/modelLibrary.js';

/**
 * The models the UI may pick: every folder (one level below each root, or a root itself) holding a
 * `unet/model.onnx`. Ids are the folder names; the renderer never sees or sends a path. Listing and
 * describing are the model library's (`listModelFolders`, `describeModelFolders`, as `installedModels()`);
 * this class keeps the studio's roots and maps ids to folders.
 */
export class InstalledModels {
  private models: InstalledModel[] = [];
  private readonly dirs = new Map<string, string>();
  /** ControlNet folders under the same roots (issue 20), by their own ids. */
  private readonly controlNetDirs = new Map<string, string>();

  /** `where`: the data folder (its registry says which folders were imported) and the app's resources (bundled models). */
  constructor(
    private readonly roots: string[],
    private readonly where: { dataDir?: string; resourcesPath?: string } = {},
  ) {
    this.rescan();
  }

  /** Lists again after a pull or an import; `extraRoots` (pull folder, imported folders) join the roots given at start. */
  rescan(extraRoots: string[] = []): void {
    const roots = [...this.roots, ...extraRoots];
    this.models = describeModelFolders(listModelFolders(roots), this.where);
    this.dirs.clear();
    for (const m of this.models) this.dirs.set(m.id, m.dir);
    this.controlNetDirs.clear();
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

  /** The picker's list. A folder that no longer reads lists by name, its family guessed from a second text encoder. */
  list(): ModelSummary[] {
    return this.models.map((m) =>
      m.problem
        ? { id: m.id, name: m.id, family: existsSync(join(m.dir, 'text_encoder_2')) ? 'sdxl' : 'sd1' }
        : { id: m.id, name: m.id, family: m.family as ModelSummary['family'], label: m.label, recommended: m.recommended },
    );
  }

  /** The same models with where each came from (the Models dialog). */
  installed(): readonly InstalledModel[] {
    return this.models;
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
