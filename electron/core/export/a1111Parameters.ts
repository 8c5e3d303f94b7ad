import type { GenerationSettings } from '../../contract/generation.js';
import { extractLoraTags } from '../../contract/lora.js';
import { A1111_SAMPLER_NAMES, schedulerFromA1111, type GenerationMetadata } from './generationMetadata.js';

/**
 * The "parameters" text AUTOMATIC1111 writes into PNGs, which Civitai, InvokeAI, ComfyUI loaders and
 * most galleries read. Format and quoting follow A1111's `create_infotext` / `parse_generation_parameters`.
 */

/** A1111 quotes a value (JSON string) only when it holds a comma, newline or colon. */
function quote(value: string): string {
  return /[,\n:]/.test(value) ? JSON.stringify(value) : value;
}

export function formatA1111Parameters(meta: GenerationMetadata): string {
  const s = meta.settings;
  const params: [string, string | number][] = [
    ['Steps', s.steps],
    ['Sampler', A1111_SAMPLER_NAMES[s.scheduler]],
    ['CFG scale', s.guidance],
    ['Seed', meta.seed],
    ['Size', `${s.width}x${s.height}`],
  ];
  if (meta.modelHash) params.push(['Model hash', meta.modelHash]);
  params.push(['Model', meta.model]);
  if (s.mode !== 'txt2img') params.push(['Denoising strength', s.strength]);
  if (s.mode === 'inpaint') params.push(['Mask blur', s.maskFeather]);
  if (s.batch > 1) params.push(['Batch size', s.batch]);
  // A1111 names LoRAs by prompt tags and "Lora hashes" (galleries match the first 10 hex digits of the SHA-256).
  const loras = s.loras ?? [];
  if (loras.some((l) => l.sha256)) params.push(['Lora hashes', loras.filter((l) => l.sha256).map((l) => `${l.name}: ${l.sha256!.slice(0, 10)}`).join(', ')]);
  // As sd-webui-controlnet writes its units ("ControlNet 0": module, model, weight, guidance start/end).
  (s.controls ?? []).forEach((c, i) => {
    params.push([`ControlNet ${i}`, `Module: ${c.type}, Model: ${c.model}, Weight: ${c.scale}, Guidance Start: ${c.start}, Guidance End: ${c.end}`]);
  });
  params.push(['Version', meta.appVersion ? `Atelier ${meta.appVersion}` : 'Atelier']);
  const paramLine = params.map(([k, v]) => `${k}: ${quote(String(v))}`).join(', ');
  const negative = s.negativePrompt ? `\nNegative prompt: ${s.negativePrompt}` : '';
  const tagged = extractLoraTags(s.prompt).loras.map((l) => l.name);
  const pickerTags = loras.filter((l) => !tagged.includes(l.name)).map((l) => ` <lora:${l.name}:${l.strength}>`).join('');
  return `${s.prompt}${pickerTags}${negative}\n${paramLine}`.trim();
}

export interface A1111Parameters {
  /** What could be mapped onto our settings; the rest stays in `other`. */
  settings: Partial<GenerationSettings>;
  model?: string;
  modelHash?: string;
  seed?: number;
  /** Every key/value of the parameter line as written (including the mapped ones). */
  other: Record<string, string>;
}

// A1111's re_param_code: `key: value` where value is a JSON-quoted string or runs to the next comma.
const PARAM_RE = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;

function paramPairs(line: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of line.matchAll(PARAM_RE)) {
    let value = m[2];
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        /* keep it as written */
      }
    }
    out.push([m[1].trim(), value.trim()]);
    if (out.length > 200) break; // bounded work on hostile input
  }
  return out;
}

function finiteNumber(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses A1111-style parameters text. Never throws; unknown or malformed fields are left out of `settings`. */
export function parseA1111Parameters(text: string): A1111Parameters {
  const lines = text.trim().split('\n');
  let last = lines.pop() ?? '';
  let pairs = paramPairs(last);
  if (pairs.length < 3) {
    lines.push(last);
    last = '';
    pairs = [];
  }
  let prompt = '';
  let negative = '';
  let inNegative = false;
  for (let line of lines) {
    line = line.trim();
    if (line.startsWith('Negative prompt:')) {
      inNegative = true;
      line = line.slice('Negative prompt:'.length).trim();
    }
    if (inNegative) negative += (negative ? '\n' : '') + line;
    else prompt += (prompt ? '\n' : '') + line;
  }
  const other: Record<string, string> = Object.fromEntries(pairs);
  const settings: Partial<GenerationSettings> = { prompt, negativePrompt: negative };
  const steps = finiteNumber(other['Steps']);
  if (steps !== undefined && Number.isInteger(steps)) settings.steps = steps;
  const cfg = finiteNumber(other['CFG scale']);
  if (cfg !== undefined) settings.guidance = cfg;
  const scheduler = other['Sampler'] ? schedulerFromA1111(other['Sampler']) : undefined;
  if (scheduler) settings.scheduler = scheduler;
  const size = /^(\d+)x(\d+)$/.exec(other['Size'] ?? '');
  if (size) {
    settings.width = Number(size[1]);
    settings.height = Number(size[2]);
  }
  const seed = finiteNumber(other['Seed']);
  const validSeed = seed !== undefined && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff ? seed : undefined;
  if (validSeed !== undefined) settings.seed = validSeed;
  const strength = finiteNumber(other['Denoising strength']);
  if (strength !== undefined) settings.strength = strength;
  const blur = finiteNumber(other['Mask blur']);
  if (blur !== undefined && Number.isInteger(blur)) settings.maskFeather = blur;
  const batch = finiteNumber(other['Batch size']);
  if (batch !== undefined && Number.isInteger(batch)) settings.batch = batch;
  settings.mode = blur !== undefined ? 'inpaint' : strength !== undefined ? 'img2img' : 'txt2img';
  const result: A1111Parameters = { settings, other };
  if (other['Model']) result.model = other['Model'];
  if (other['Model hash']) result.modelHash = other['Model hash'];
  if (validSeed !== undefined) result.seed = validSeed;
  return result;
}
