import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SHIPPED_STYLES, StylePresetSchema, findStyle, type StylePreset, type StylePresetInput } from '../../contract/styles.js';
import { writeFileAtomic } from '../files/atomicWrite.js';

/**
 * The user's style presets, in `<data>/styles.json` ({type, version, styles}), shared by the app, `serve`
 * and the CLI. A missing file means none; a broken one means none plus a notice, never a crash.
 */
export const STYLES_FILE = 'styles.json';
const StylesFileSchema = z.object({
  type: z.literal('atelier-styles'),
  version: z.literal(1),
  styles: z.array(StylePresetSchema).max(1000),
});

export interface StyleEntry extends StylePreset {
  /** Shipped with the app (read-only) rather than saved by the user. */
  builtIn: boolean;
}

export class UserStyles {
  constructor(private readonly dataDir: string) {}

  private get path(): string {
    return join(this.dataDir, STYLES_FILE);
  }

  read(): { styles: StylePreset[]; notice?: string } {
    if (!existsSync(this.path)) return { styles: [] };
    try {
      return { styles: StylesFileSchema.parse(JSON.parse(readFileSync(this.path, 'utf8'))).styles };
    } catch {
      return { styles: [], notice: `${this.path} is not a valid styles file; your saved styles are ignored until it is fixed or removed` };
    }
  }

  /** User presets first, then the shipped ones a user preset does not shadow. */
  list(): { styles: StyleEntry[]; notice?: string } {
    const { styles, notice } = this.read();
    const user = styles.map((s) => ({ ...s, builtIn: false }));
    const shipped = SHIPPED_STYLES.filter((s) => !findStyle(s.name, styles)).map((s) => ({ ...s, builtIn: true }));
    return { styles: [...user, ...shipped], notice };
  }

  find(name: string): StylePreset | undefined {
    return findStyle(name, this.list().styles);
  }

  /** Adds or replaces (same name, any case) a user preset. */
  async save(input: StylePresetInput): Promise<StylePreset> {
    const preset = StylePresetSchema.parse(input);
    const { styles, notice } = this.read();
    if (notice) throw new Error(notice);
    const kept = styles.filter((s) => s.name.toLowerCase() !== preset.name.toLowerCase());
    await this.write([...kept, preset]);
    return preset;
  }

  async delete(name: string): Promise<boolean> {
    const { styles, notice } = this.read();
    if (notice) throw new Error(notice);
    const kept = styles.filter((s) => s.name.toLowerCase() !== name.trim().toLowerCase());
    if (kept.length === styles.length) return false;
    await this.write(kept);
    return true;
  }

  private async write(styles: StylePreset[]): Promise<void> {
    const json = JSON.stringify({ type: 'atelier-styles', version: 1, styles }, null, 2);
    await writeFileAtomic(this.path, new TextEncoder().encode(json + '\n'));
  }
}
