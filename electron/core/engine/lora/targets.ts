import { kohyaName, targetKey, type LoraPart } from '../../models/loraFile.js';
import type { OnnxGraph, OnnxInitializer } from './onnxProto.js';

/**
 * A weight a LoRA can change, found through the node that uses it. torch exports keep module
 * paths in node names (`/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul`);
 * MatMul keeps a Linear's weight transposed ([in, out]), Gemm as transB says, Conv as is.
 */
export interface LoraTarget {
  modulePath: string;
  initializer: OnnxInitializer;
  /** 'in-out': stored [in, out] (ΔW must be transposed); 'out-in': [out, in, …] as torch keeps it. */
  layout: 'in-out' | 'out-in';
  /** Rows and columns of the weight as torch sees it: out, in·kh·kw. */
  out: number;
  inner: number;
}

/** Module path of a node: `/a/b.0/c/MatMul_1` → `a.b.0.c` (last segment is the op). */
export function modulePathOf(nodeName: string): string | undefined {
  const segments = nodeName.replace(/^\//, '').split('/');
  if (segments.length < 2) return undefined;
  return segments.slice(0, -1).join('.');
}

/** Finds the LoRA-mergeable weights of one ONNX model, keyed as loraFile.targetKey names them. */
export function findTargets(graph: OnnxGraph, part: LoraPart): Map<string, LoraTarget> {
  const inits = new Map(graph.initializers.map((i) => [i.name, i]));
  // fp16 conversions may store a weight in float16 and Cast it up where it is used.
  const castOf = new Map<string, string>();
  for (const n of graph.nodes) if (n.opType === 'Cast' && n.inputs[0] && inits.has(n.inputs[0])) castOf.set(n.outputs[0]!, n.inputs[0]);
  const targets = new Map<string, LoraTarget>();
  for (const n of graph.nodes) {
    if (n.opType !== 'MatMul' && n.opType !== 'Gemm' && n.opType !== 'Conv') continue;
    const wName = n.inputs[1];
    if (!wName) continue;
    const init = inits.get(wName) ?? inits.get(castOf.get(wName) ?? '');
    // A weight named after its module (`…to_q.weight`, as Conv/Gemm weights in torch exports and every
    // weight of our stand-ins are) says its module itself; otherwise the node's scope does.
    const path = init?.name.endsWith('.weight') ? init.name.slice(0, -'.weight'.length) : modulePathOf(n.name);
    if (!init || !path) continue;
    const d = init.dims;
    let target: LoraTarget | undefined;
    if (n.opType === 'Conv' && d.length === 4) {
      target = { modulePath: path, initializer: init, layout: 'out-in', out: d[0]!, inner: d[1]! * d[2]! * d[3]! };
    } else if (n.opType === 'Gemm' && d.length === 2) {
      target = (n.ints.transB ?? 0) === 1
        ? { modulePath: path, initializer: init, layout: 'out-in', out: d[0]!, inner: d[1]! }
        : { modulePath: path, initializer: init, layout: 'in-out', out: d[1]!, inner: d[0]! };
    } else if (n.opType === 'MatMul' && d.length === 2) {
      target = { modulePath: path, initializer: init, layout: 'in-out', out: d[1]!, inner: d[0]! };
    }
    if (!target) continue;
    const key = targetKey(part, path);
    if (!targets.has(key)) targets.set(key, target);
  }
  if (part === 'unet') addLdmAliases(targets);
  return targets;
}

const RESNET_LDM: Record<string, string> = {
  norm1: 'in_layers.0', conv1: 'in_layers.2', time_emb_proj: 'emb_layers.1',
  norm2: 'out_layers.0', conv2: 'out_layers.3', conv_shortcut: 'skip_connection',
};
const TOP_LDM: Record<string, string> = {
  conv_in: 'input_blocks.0.0', 'time_embedding.linear_1': 'time_embed.0', 'time_embedding.linear_2': 'time_embed.2',
  'add_embedding.linear_1': 'label_emb.0.0', 'add_embedding.linear_2': 'label_emb.0.2', conv_out: 'out.2',
};

/**
 * kohya's SDXL LoRAs name the original (LDM/SGM) UNet's modules (`input_blocks.4.1.…`,
 * `middle_block.1.…`, `output_blocks.2.2.conv`); the same targets are registered under those
 * names too, derived from the diffusers paths (layers per block and which up blocks have
 * attention are read off the paths themselves).
 */
function addLdmAliases(targets: Map<string, LoraTarget>): void {
  const paths = [...targets.values()].map((t) => t.modulePath);
  const layers = new Set(paths.map((p) => /^down_blocks\.0\.resnets\.(\d+)\./.exec(p)?.[1]).filter(Boolean)).size;
  if (layers === 0) return;
  const upHasAttention = (i: string) => paths.some((p) => p.startsWith(`up_blocks.${i}.attentions.`));
  const ldm = (p: string): string | undefined => {
    const top = Object.entries(TOP_LDM).find(([k]) => p === k);
    if (top) return top[1];
    const res = (rest: string) => {
      const [first, ...tail] = rest.split('.');
      const mapped = RESNET_LDM[first!];
      return mapped ? [mapped, ...tail].join('.') : undefined;
    };
    let m: RegExpExecArray | null;
    if ((m = /^down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)$/.exec(p))) {
      const r = res(m[3]!);
      return r && `input_blocks.${1 + Number(m[1]) * (layers + 1) + Number(m[2])}.0.${r}`;
    }
    if ((m = /^down_blocks\.(\d+)\.attentions\.(\d+)\.(.+)$/.exec(p))) {
      return `input_blocks.${1 + Number(m[1]) * (layers + 1) + Number(m[2])}.1.${m[3]}`;
    }
    if ((m = /^down_blocks\.(\d+)\.downsamplers\.0\.conv$/.exec(p))) return `input_blocks.${1 + Number(m[1]) * (layers + 1) + layers}.0.op`;
    if ((m = /^mid_block\.resnets\.(\d)\.(.+)$/.exec(p))) {
      const r = res(m[2]!);
      return r && `middle_block.${m[1] === '0' ? 0 : 2}.${r}`;
    }
    if ((m = /^mid_block\.attentions\.0\.(.+)$/.exec(p))) return `middle_block.1.${m[1]}`;
    if ((m = /^up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)$/.exec(p))) {
      const r = res(m[3]!);
      return r && `output_blocks.${Number(m[1]) * (layers + 1) + Number(m[2])}.0.${r}`;
    }
    if ((m = /^up_blocks\.(\d+)\.attentions\.(\d+)\.(.+)$/.exec(p))) {
      return `output_blocks.${Number(m[1]) * (layers + 1) + Number(m[2])}.1.${m[3]}`;
    }
    if ((m = /^up_blocks\.(\d+)\.upsamplers\.0\.conv$/.exec(p))) {
      return `output_blocks.${Number(m[1]) * (layers + 1) + layers}.${upHasAttention(m[1]!) ? 2 : 1}.conv`;
    }
    return undefined;
  };
  for (const t of [...targets.values()]) {
    const alias = ldm(t.modulePath);
    if (alias) {
      const key = kohyaName('lora_unet', alias);
      if (!targets.has(key)) targets.set(key, t);
    }
  }
}
