import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ModelSummary } from '../../contract/api.js';

/**
 * The models the UI may pick: every folder (one level below each root, or a root itself) holding a
 * `unet/model.onnx`. Ids are the folder names; the renderer never sees or sends a path.
 */
export class ModelCatalogue {
  private readonly dirs = new Map<string, string>();

  constructor(roots: string[]) {
    for (const root of roots.map((r) => resolve(r))) {
      if (isModel(root)) this.add(basename(root), root);
      let names: string[] = [];
      try {
        names = readdirSync(root).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const dir = join(root, name);
        if (isModel(dir)) this.add(name, dir);
      }
    }
  }

  private add(id: string, dir: string): void {
    let unique = id;
    for (let i = 2; this.dirs.has(unique); i++) unique = `${id}-${i}`;
    this.dirs.set(unique, dir);
  }

  list(): ModelSummary[] {
    return [...this.dirs.entries()].map(([id, dir]) => ({ id, name: id, family: familyOf(dir) }));
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

function isModel(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, 'unet', 'model.onnx'));
  } catch {
    return false;
  }
}

function familyOf(dir: string): string {
  if (existsSync(join(dir, 'text_encoder_2'))) return 'sdxl';
  return 'sd';
}
