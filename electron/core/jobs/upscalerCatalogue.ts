import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { UpscalerSummary } from '../../contract/api.js';
import { readUpscalerMeta } from '../engine/upscale/onnxUpscaler.js';

/**
 * The super-resolution models the Upscale dialog may pick: folders (a root itself, or one level below it)
 * holding `model.onnx` directly — SD pipelines keep theirs in `unet/`, so the two never mix. Same roots as
 * the SD models (`<data>/models`, the shipped test models, imported folders). Ids are folder names; the
 * renderer never sees a path. The scale is listed when `upscaler.json` declares it; otherwise the engine
 * reads it from the model when the job runs.
 */
export class UpscalerCatalogue {
  private readonly dirs = new Map<string, string>();

  constructor(roots: string[]) {
    const add = (dir: string) => {
      if (!existsSync(join(dir, 'model.onnx')) || existsSync(join(dir, 'model_index.json'))) return;
      let id = basename(dir);
      for (let i = 2; this.dirs.has(id) && this.dirs.get(id) !== dir; i++) id = `${basename(dir)}-${i}`;
      this.dirs.set(id, dir);
    };
    for (const root of roots.map((r) => resolve(r))) {
      add(root);
      let names: string[] = [];
      try {
        names = readdirSync(root).sort();
      } catch {
        continue;
      }
      for (const name of names) if (!name.startsWith('.')) add(join(root, name));
    }
  }

  list(): UpscalerSummary[] {
    return [...this.dirs.entries()].map(([id, dir]) => {
      try {
        const meta = readUpscalerMeta(dir);
        return { id, label: meta.label ?? id, ...(meta.scale ? { scale: meta.scale } : {}) };
      } catch (e) {
        return { id, label: id, problem: e instanceof Error ? e.message : String(e) };
      }
    });
  }

  dirOf(id: string): string | undefined {
    return this.dirs.get(id);
  }
}
