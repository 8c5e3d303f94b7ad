/**
 * diffusers' AutoencoderKL halves as optimum exports them: vae_decoder (post_quant_conv + Decoder:
 * latent_sample → sample) and vae_encoder (Encoder + quant_conv: sample → latent_parameters, mean ‖
 * log-variance, as optimum ≥ 1.23 writes it).
 */
import { attention, conv, Graph, groupNorm, type FloatDtype } from './graph.js';

export interface VaeConfig {
  blockOut: number[];
  layersPerBlock: number;
  latentChannels: number;
  groups: number;
}

const EPS = 1e-6;

function resnet(g: Graph, name: string, x: string, inC: number, outC: number, groups: number): string {
  let h = conv(g, `${name}.conv1`, g.silu(groupNorm(g, `${name}.norm1`, x, inC, groups, EPS)), inC, outC, 3);
  h = conv(g, `${name}.conv2`, g.silu(groupNorm(g, `${name}.norm2`, h, outC, groups, EPS)), outC, outC, 3);
  const skip = inC === outC ? x : conv(g, `${name}.conv_shortcut`, x, inC, outC, 1);
  return g.add(skip, h);
}

/** The mid block's single-head self-attention over all latent positions (the VAE's memory peak at big sizes). */
function midAttention(g: Graph, name: string, x: string, C: number, groups: number): string {
  const seq = g.transpose(g.reshape(groupNorm(g, `${name}.group_norm`, x, C, groups, EPS), [0, 0, -1]), [0, 2, 1]);
  const a = attention(g, { q: `${name}.to_q`, k: `${name}.to_k`, v: `${name}.to_v`, out: `${name}.to_out.0`, qkvBias: true }, seq, C, 1);
  return g.add(g.op('Reshape', [g.transpose(a, [0, 2, 1]), g.op('Shape', [x])]), x);
}

function midBlock(g: Graph, prefix: string, x: string, C: number, groups: number): string {
  let h = resnet(g, `${prefix}.mid_block.resnets.0`, x, C, C, groups);
  h = midAttention(g, `${prefix}.mid_block.attentions.0`, h, C, groups);
  return resnet(g, `${prefix}.mid_block.resnets.1`, h, C, C, groups);
}

export function buildVaeDecoder(cfg: VaeConfig, dtype: FloatDtype, fusedAttention = false): Graph {
  const g = new Graph(dtype, fusedAttention);
  const L = cfg.latentChannels;
  const z = g.input('latent_sample', dtype, ['batch_size', 'num_channels_latent', 'height_latent', 'width_latent']);
  const reversed = [...cfg.blockOut].reverse();
  let h = conv(g, 'post_quant_conv', z, L, L, 1);
  let channels = reversed[0]!;
  h = conv(g, 'decoder.conv_in', h, L, channels, 3);
  h = midBlock(g, 'decoder', h, channels, cfg.groups);
  reversed.forEach((outC, b) => {
    for (let l = 0; l <= cfg.layersPerBlock; l++) {
      h = resnet(g, `decoder.up_blocks.${b}.resnets.${l}`, h, channels, outC, cfg.groups);
      channels = outC;
    }
    if (b < reversed.length - 1) {
      h = conv(g, `decoder.up_blocks.${b}.upsamplers.0.conv`, g.upsample2x(h), outC, outC, 3);
    }
  });
  h = g.silu(groupNorm(g, 'decoder.conv_norm_out', h, channels, cfg.groups, EPS));
  h = conv(g, 'decoder.conv_out', h, channels, 3, 3);
  g.output('sample', h, dtype, ['batch_size', 'num_channels', 'height', 'width']);
  return g;
}

export function buildVaeEncoder(cfg: VaeConfig, dtype: FloatDtype, fusedAttention = false): Graph {
  const g = new Graph(dtype, fusedAttention);
  const x = g.input('sample', dtype, ['batch_size', 'num_channels', 'height', 'width']);
  let channels = cfg.blockOut[0]!;
  let h = conv(g, 'encoder.conv_in', x, 3, channels, 3);
  cfg.blockOut.forEach((outC, b) => {
    for (let l = 0; l < cfg.layersPerBlock; l++) {
      h = resnet(g, `encoder.down_blocks.${b}.resnets.${l}`, h, channels, outC, cfg.groups);
      channels = outC;
    }
    // diffusers pads (0, 1, 0, 1) and convolves with stride 2, padding 0.
    if (b < cfg.blockOut.length - 1) h = conv(g, `encoder.down_blocks.${b}.downsamplers.0.conv`, h, outC, outC, 3, { stride: 2, pads: [0, 0, 1, 1] });
  });
  h = midBlock(g, 'encoder', h, channels, cfg.groups);
  h = g.silu(groupNorm(g, 'encoder.conv_norm_out', h, channels, cfg.groups, EPS));
  h = conv(g, 'encoder.conv_out', h, channels, 2 * cfg.latentChannels, 3);
  h = conv(g, 'quant_conv', h, 2 * cfg.latentChannels, 2 * cfg.latentChannels, 1);
  g.output('latent_parameters', h, dtype, ['batch_size', 2 * cfg.latentChannels, 'height_latent', 'width_latent']);
  return g;
}
