/**
 * diffusers' UNet2DConditionModel (SD 1.x, SD 2.x, SDXL) as optimum exports it: sample, timestep,
 * encoder_hidden_states (+ text_embeds, time_ids for SDXL) → out_sample. Module names, block layout
 * and parameter shapes follow diffusers (unet_2d_condition.py, unet_2d_blocks.py, resnet.py,
 * transformer_2d.py, attention.py), so parameter counts match the published models.
 */
import { attention, conv, Graph, groupNorm, layerNorm, linear, type FloatDtype } from './graph.js';

export interface UnetConfig {
  inChannels: number;
  outChannels: number;
  blockOut: number[];
  down: Array<'CrossAttnDownBlock2D' | 'DownBlock2D'>;
  up: Array<'CrossAttnUpBlock2D' | 'UpBlock2D'>;
  layersPerBlock: number;
  /** Transformer blocks per attention, per down block (SDXL: [1, 2, 10]); up blocks use it reversed. */
  transformerLayers: number[];
  /** Attention heads per down block (diffusers' `attention_head_dim`, which counts heads). */
  heads: number[];
  crossDim: number;
  linearProjection: boolean;
  groups: number;
  /** SDXL's `text_time` added embedding: time_ids through Timesteps(256) ‖ text_embeds. */
  addEmbed?: { timeDim: number; textEmbedDim: number };
}

/** Sinusoidal embedding as diffusers' Timesteps(dim, flip_sin_to_cos=True, shift=0): [N] → [N, dim] (cos ‖ sin). */
function timestepEmbedding(g: Graph, t32: string, dim: number): string {
  const half = dim / 2;
  const freqs = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const args = g.mul(g.op('Unsqueeze', [t32, g.constInt64([1])]), g.constFloat(freqs, [1, half], 'float32'));
  return g.op('Concat', [g.op('Cos', [args]), g.op('Sin', [args])], { axis: 1 });
}

function timeMlp(g: Graph, name: string, x: string, inF: number, outF: number): string {
  return linear(g, `${name}.linear_2`, g.silu(linear(g, `${name}.linear_1`, x, inF, outF)), outF, outF);
}

class UnetBuilder {
  constructor(
    private readonly g: Graph,
    private readonly cfg: UnetConfig,
    private readonly temb: string,
    private readonly context: string,
  ) {}

  resnet(name: string, x: string, inC: number, outC: number): string {
    const { g, cfg } = this;
    const tembDim = cfg.blockOut[0]! * 4;
    let h = conv(g, `${name}.conv1`, g.silu(groupNorm(g, `${name}.norm1`, x, inC, cfg.groups, 1e-5)), inC, outC, 3);
    const t = linear(g, `${name}.time_emb_proj`, g.silu(this.temb), tembDim, outC);
    h = g.add(h, g.op('Unsqueeze', [t, g.constInt64([2, 3])]));
    h = conv(g, `${name}.conv2`, g.silu(groupNorm(g, `${name}.norm2`, h, outC, cfg.groups, 1e-5)), outC, outC, 3);
    const skip = inC === outC ? x : conv(g, `${name}.conv_shortcut`, x, inC, outC, 1);
    return g.add(skip, h);
  }

  /** Transformer2DModel: GroupNorm, proj_in, `layers` BasicTransformerBlocks (self-attn, cross-attn, GEGLU), proj_out, residual. */
  transformer(name: string, x: string, C: number, heads: number, layers: number): string {
    const { g, cfg } = this;
    const normed = groupNorm(g, `${name}.norm`, x, C, cfg.groups, 1e-6);
    const toSeq = (t: string) => g.transpose(g.reshape(t, [0, 0, -1]), [0, 2, 1]); // [B,C,H,W] → [B,HW,C]
    let h = cfg.linearProjection ? linear(g, `${name}.proj_in`, toSeq(normed), C, C) : toSeq(conv(g, `${name}.proj_in`, normed, C, C, 1));
    for (let i = 0; i < layers; i++) {
      const p = `${name}.transformer_blocks.${i}`;
      const names = (a: string) => ({ q: `${p}.${a}.to_q`, k: `${p}.${a}.to_k`, v: `${p}.${a}.to_v`, out: `${p}.${a}.to_out.0`, qkvBias: false });
      h = g.add(h, attention(g, names('attn1'), layerNorm(g, `${p}.norm1`, h, C, 1e-5), C, heads));
      h = g.add(h, attention(g, names('attn2'), layerNorm(g, `${p}.norm2`, h, C, 1e-5), C, heads, { context: this.context, contextDim: cfg.crossDim }));
      const proj = linear(g, `${p}.ff.net.0.proj`, layerNorm(g, `${p}.norm3`, h, C, 1e-5), C, 8 * C);
      const [value, gate] = g.opN('Split', [proj, g.constInt64([4 * C, 4 * C])], 2, { axis: -1 });
      h = g.add(h, linear(g, `${p}.ff.net.2`, g.mul(value!, g.gelu(gate!)), 4 * C, C));
    }
    const fromSeq = (t: string) => g.op('Reshape', [g.transpose(t, [0, 2, 1]), g.op('Shape', [x])]);
    const out = cfg.linearProjection ? fromSeq(linear(g, `${name}.proj_out`, h, C, C)) : conv(g, `${name}.proj_out`, fromSeq(h), C, C, 1);
    return g.add(out, x);
  }

  upsample(name: string, x: string, C: number): string {
    const { g } = this;
    return conv(g, `${name}.conv`, g.upsample2x(x), C, C, 3);
  }

  build(sample: string): string {
    const { g, cfg } = this;
    const blocks = cfg.blockOut;
    let h = conv(g, 'conv_in', sample, cfg.inChannels, blocks[0]!, 3);
    const skips: Array<{ value: string; channels: number }> = [{ value: h, channels: blocks[0]! }];
    let channels = blocks[0]!;
    cfg.down.forEach((type, b) => {
      const outC = blocks[b]!;
      for (let l = 0; l < cfg.layersPerBlock; l++) {
        h = this.resnet(`down_blocks.${b}.resnets.${l}`, h, channels, outC);
        channels = outC;
        if (type === 'CrossAttnDownBlock2D') h = this.transformer(`down_blocks.${b}.attentions.${l}`, h, outC, cfg.heads[b]!, cfg.transformerLayers[b]!);
        skips.push({ value: h, channels });
      }
      if (b < cfg.down.length - 1) {
        h = conv(g, `down_blocks.${b}.downsamplers.0.conv`, h, outC, outC, 3, { stride: 2 });
        skips.push({ value: h, channels });
      }
    });
    const last = cfg.down.length - 1;
    h = this.resnet('mid_block.resnets.0', h, channels, channels);
    h = this.transformer('mid_block.attentions.0', h, channels, cfg.heads[last]!, cfg.transformerLayers[last]!);
    h = this.resnet('mid_block.resnets.1', h, channels, channels);

    const reversed = [...blocks].reverse();
    const revHeads = [...cfg.heads].reverse();
    const revLayers = [...cfg.transformerLayers].reverse();
    cfg.up.forEach((type, b) => {
      const outC = reversed[b]!;
      for (let l = 0; l <= cfg.layersPerBlock; l++) {
        const skip = skips.pop()!;
        h = g.op('Concat', [h, skip.value], { axis: 1 });
        h = this.resnet(`up_blocks.${b}.resnets.${l}`, h, channels + skip.channels, outC);
        channels = outC;
        if (type === 'CrossAttnUpBlock2D') h = this.transformer(`up_blocks.${b}.attentions.${l}`, h, outC, revHeads[b]!, revLayers[b]!);
      }
      if (b < cfg.up.length - 1) h = this.upsample(`up_blocks.${b}.upsamplers.0`, h, outC);
    });
    h = g.silu(groupNorm(g, 'conv_norm_out', h, channels, cfg.groups, 1e-5));
    return conv(g, 'conv_out', h, channels, cfg.outChannels, 3);
  }
}

export function buildUnet(cfg: UnetConfig, dtype: FloatDtype, fusedAttention = false): Graph {
  const g = new Graph(dtype, fusedAttention);
  const sample = g.input('sample', dtype, ['batch_size', cfg.inChannels, 'height', 'width']);
  const timestep = g.input('timestep', dtype, ['steps']);
  const context = g.input('encoder_hidden_states', dtype, ['batch_size', 'sequence_length', cfg.crossDim]);
  const base = cfg.blockOut[0]!;
  let temb = timeMlp(g, 'time_embedding', g.toModel(timestepEmbedding(g, g.toFloat32(timestep), base)), base, base * 4);
  if (cfg.addEmbed) {
    const { timeDim, textEmbedDim } = cfg.addEmbed;
    const textEmbeds = g.input('text_embeds', dtype, ['batch_size', textEmbedDim]);
    const timeIds = g.input('time_ids', dtype, ['batch_size', 6]);
    const flat = g.reshape(g.toFloat32(timeIds), [-1]);
    const timeEmb = g.reshape(g.toModel(timestepEmbedding(g, flat, timeDim)), [-1, 6 * timeDim]);
    const addIn = g.op('Concat', [textEmbeds, timeEmb], { axis: 1 });
    temb = g.add(temb, timeMlp(g, 'add_embedding', addIn, textEmbedDim + 6 * timeDim, base * 4));
  }
  const out = new UnetBuilder(g, cfg, temb, context).build(sample);
  g.output('out_sample', out, dtype, ['batch_size', cfg.outChannels, 'height', 'width']);
  return g;
}
