import { z } from 'zod';

/**
 * A LoRA in a generation's settings: what history records and "re-run exactly" replays. The
 * name is the file's name in `<data>/loras` without `.safetensors`; the SHA-256 pins the file's
 * contents, so a re-run refuses (or finds by hash) a file that changed since.
 */
export const LoraRefSchema = z.object({
  name: z.string().min(1).max(200),
  strength: z.number().min(-4).max(4),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type LoraRef = z.infer<typeof LoraRefSchema>;

export const MAX_LORAS = 8;

/** A LoRA file in the library, as the picker lists it. */
export interface LoraInfo {
  name: string;
  sha256: string;
  bytes: number;
}

/**
 * A1111's prompt syntax `<lora:NAME:WEIGHT>` (weight optional, default 1). This step runs before
 * any other prompt parsing: it takes the tags out of the text the text encoder sees and returns
 * them as LoRA references.
 */
const TAG = /<lora:([^:<>]+?)(?::\s*(-?\d+(?:\.\d+)?|-?\.\d+))?\s*>/gi;

export function extractLoraTags(prompt: string): { prompt: string; loras: LoraRef[] } {
  const loras: LoraRef[] = [];
  const text = prompt.replace(TAG, (_m, name: string, weight?: string) => {
    const strength = weight === undefined ? 1 : Math.max(-4, Math.min(4, Number(weight)));
    loras.push({ name: name.trim(), strength });
    return '';
  });
  return { prompt: loras.length > 0 ? text.replace(/\s{2,}/g, ' ').replace(/\s+([,.])/g, '$1').trim() : prompt, loras };
}

/**
 * The LoRAs a generation uses: the picker's list, then the prompt's tags (a tag for a LoRA
 * already listed sets its strength). The same settings always give the same list.
 */
export function combineLoras(picked: readonly LoraRef[], prompt: string): LoraRef[] {
  const out = picked.map((l) => ({ ...l }));
  for (const tag of extractLoraTags(prompt).loras) {
    const same = out.find((l) => l.name === tag.name);
    if (same) same.strength = tag.strength;
    else out.push(tag);
  }
  return out;
}
