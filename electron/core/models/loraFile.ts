import type { SafetensorEntry, SafetensorsFile } from './safetensors.js';

/** Which network of a pipeline a LoRA layer changes. */
export type LoraPart = 'unet' | 'text_encoder' | 'text_encoder_2';

/**
 * One low-rank layer: ΔW = (alpha / rank) · up · down, reshaped to the target weight
 * (linear [out, in], conv [out, in, kh, kw]).
 */
export interface LoraLayer {
  part: LoraPart;
  /**
   * The name to look the target up by: kohya's flattened form (`lora_unet_down_blocks_0_…`,
   * `lora_te_text_model_…`), which PEFT/diffusers module paths are converted to.
   */
  key: string;
  /** The name as written in the file (for messages). */
  fileKey: string;
  down: SafetensorEntry;
  up: SafetensorEntry;
  alpha?: number;
}

export interface LoraContents {
  layers: LoraLayer[];
  /** Layer kinds the merge does not implement, with how many layers of each (LoHa, LoKr…). */
  unsupported: Map<string, number>;
  format: 'kohya' | 'peft' | 'empty';
}

/** Marker keys of LyCORIS and other non-LoRA layer kinds, named as their authors name them. */
const UNSUPPORTED_KINDS: Array<[RegExp, string]> = [
  [/\.hada_w1_a$/, 'LoHa'],
  [/\.lokr_w1(_a)?$/, 'LoKr'],
  [/\.lora_mid\.weight$/, 'LoCon with a Tucker core (lora_mid)'],
  [/\.dora_scale$/, 'DoRA'],
  [/\.oft_(blocks|diag)$/, 'OFT'],
  [/\.a1\.weight$/, 'GLoRA'],
  [/\.diff$/, 'full weight difference'],
  [/\.on_input$/, '(IA)³'],
];

/** kohya's flattened module name: dots (and PEFT's slashes) become underscores. */
export function kohyaName(prefix: string, modulePath: string): string {
  return `${prefix}_${modulePath.replace(/[./]/g, '_')}`;
}

const KOHYA_PREFIX: Record<string, LoraPart> = { lora_unet: 'unet', lora_te: 'text_encoder', lora_te1: 'text_encoder', lora_te2: 'text_encoder_2' };
const PART_PREFIX: Record<LoraPart, string> = { unet: 'lora_unet', text_encoder: 'lora_te', text_encoder_2: 'lora_te2' };

/** The lookup key of a target module: one per part, so kohya's lora_te_ and lora_te1_ meet. */
export function targetKey(part: LoraPart, modulePath: string): string {
  return kohyaName(PART_PREFIX[part], modulePath);
}

function kohyaLookupKey(base: string): { part: LoraPart; key: string } | undefined {
  const m = /^(lora_unet|lora_te1|lora_te2|lora_te)_(.+)$/.exec(base);
  if (!m) return undefined;
  const part = KOHYA_PREFIX[m[1]!]!;
  return { part, key: `${PART_PREFIX[part]}_${m[2]}` };
}

/** PEFT / diffusers module paths: `unet.…`, `text_encoder.…`, `text_encoder_2.…`, `base_model.model.…`. */
function peftLookupKey(path: string): { part: LoraPart; key: string } | undefined {
  let part: LoraPart;
  let rest: string;
  if (path.startsWith('text_encoder_2.')) [part, rest] = ['text_encoder_2', path.slice(15)];
  else if (path.startsWith('text_encoder.')) [part, rest] = ['text_encoder', path.slice(13)];
  else if (path.startsWith('unet.')) [part, rest] = ['unet', path.slice(5)];
  else {
    rest = path.replace(/^base_model\.model\./, '');
    part = rest.startsWith('text_model.') ? 'text_encoder' : 'unet';
  }
  // diffusers' older attention-processor names: attn1.processor.to_q_lora → attn1.to_q, to_out_lora → to_out.0
  rest = rest.replace(/\.processor\.(to_[qkv])$/, '.$1').replace(/\.processor\.to_out$/, '.to_out.0');
  return { part, key: targetKey(part, rest) };
}

/**
 * Groups a safetensors file's tensors into LoRA layers. kohya/A1111 (`…lora_down.weight`,
 * `…lora_up.weight`, `…alpha`) and PEFT/diffusers (`…lora_A.weight`, `…lora_B.weight`,
 * `…lora.down.weight`, `…_lora.down.weight`).
 */
export function readLoraLayers(file: SafetensorsFile): LoraContents {
  const unsupported = new Map<string, number>();
  const groups = new Map<string, { down?: SafetensorEntry; up?: SafetensorEntry; alpha?: number; style: 'kohya' | 'peft'; downKey?: string }>();
  const group = (base: string, style: 'kohya' | 'peft') => {
    let g = groups.get(base);
    if (!g) groups.set(base, (g = { style }));
    return g;
  };
  for (const [name, t] of file.tensors) {
    const kind = UNSUPPORTED_KINDS.find(([re]) => re.test(name));
    if (kind) {
      unsupported.set(kind[1], (unsupported.get(kind[1]) ?? 0) + 1);
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^(.+)\.lora_(down|up)\.weight$/.exec(name))) {
      const g = group(m[1]!, 'kohya');
      if (m[2] === 'down') [g.down, g.downKey] = [t, name];
      else g.up = t;
    } else if ((m = /^(.+)\.alpha$/.exec(name)) && t.data.length === 1) {
      group(m[1]!, /^lora_(unet|te)/.test(m[1]!) ? 'kohya' : 'peft').alpha = t.data[0];
    } else if ((m = /^(.+?)(?:\.lora_(A|B)(?:\.default)?\.weight|[._]lora\.(down|up)\.weight)$/.exec(name))) {
      const g = group(m[1]!, 'peft');
      const isDown = m[2] === 'A' || m[3] === 'down';
      if (isDown) [g.down, g.downKey] = [t, name];
      else g.up = t;
    }
  }
  const layers: LoraLayer[] = [];
  let kohya = 0;
  for (const [base, g] of groups) {
    if (!g.down || !g.up) continue;
    // A file keyed lora_unet_… is kohya's even where its alpha was grouped first.
    const lookup = /^lora_(unet|te1?|te2)_/.test(base) ? kohyaLookupKey(base) : peftLookupKey(base);
    if (!lookup) continue;
    if (lookup.key.startsWith('lora_') && /^lora_(unet|te)/.test(base)) kohya++;
    layers.push({ part: lookup.part, key: lookup.key, fileKey: g.downKey ?? base, down: g.down, up: g.up, alpha: g.alpha });
  }
  const format = layers.length === 0 ? 'empty' : kohya > 0 ? 'kohya' : 'peft';
  return { layers, unsupported, format };
}
