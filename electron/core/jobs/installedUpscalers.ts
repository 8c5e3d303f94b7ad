import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { UpscalerSummary } from '../../contract/api.js';
import { readUpscalerMeta, UPSCALER_META_FILE } from '../models/upscalerFolder.js';

/**
 * The super-resolution models the Upscale dialog may pick: folders (a root itself, or one level below it)
 * marked by `upscaler.json` (a pull writes it from the catalogue; by hand `{"type": "atelier-upscaler",
 * "version": 1}` is enough) and holding one `.onnx` file directly (`model.onnx`, or a pulled model's
 * published name). SD pipelines keep theirs in `unet/`, so the two never mix. Same roots as
 * the SD models (`<data>/models`, the shipped test models, imported folders). Ids are folder names; the
 * renderer never sees a path. The scale is listed when `upscaler.json` declares it; otherwise the engine
 * reads it from the model when the job runs.
 */
export class InstalledUpscalers {
  private readonly dirs = new Map<string, string>();

  constructor(private readonly roots: string[]) {
    this.rescan();
  }

  /** Lists the folders again (cheap: one readdir per root), so a model pulled or copied in meanwhile appears. */
  rescan(): void {
    this.dirs.clear();
    const add = (dir: string) => {
      if (!isUpscalerDir(dir)) return;
      let id = basename(dir);
      for (let i = 2; this.dirs.has(id); i++) id = `${basename(dir)}-${i}`;
      this.dirs.set(id, dir);
    };
    for (const root of this.roots.map((r) => resolve(r))) {
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
    this.rescan();
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
    if (!this.dirs.has(id)) this.rescan();
    return this.dirs.get(id);
  }
}

/** A folder marked by upscaler.json (pulls write one) holding exactly one .onnx file at its top. */
function isUpscalerDir(dir: string): boolean {
  try {
    if (!existsSync(join(dir, UPSCALER_META_FILE))) return false;
    return readdirSync(dir).filter((f) => f.endsWith('.onnx')).length === 1;
  } catch {
    return false;
  }
}
