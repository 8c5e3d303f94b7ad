/**
 * The published architectures the stand-ins copy (configs as in the models' diffusers repositories:
 * runwayml/stable-diffusion-v1-5, stabilityai/sd-turbo, stabilityai/stable-diffusion-xl-base-1.0),
 * the parameter counts those repositories' weights have, and a scaled-down variant for tests.
 */
import type { ClipTextConfig } from './clipText.js';
import type { UnetConfig } from './unet.js';
import type { VaeConfig } from './vae.js';

export const STANDIN_FAMILIES = ['sd15', 'sd-turbo', 'sdxl'] as const;
export type StandinFamily = (typeof STANDIN_FAMILIES)[number];

export interface StandinArchitecture {
  family: StandinFamily;
  label: string;
  unet: UnetConfig;
  textEncoder: ClipTextConfig;
  textEncoder2?: ClipTextConfig;
  vae: VaeConfig;
  vaeScalingFactor: number;
  /** The resolution the model was trained for. */
  size: number;
  scheduler: Record<string, unknown>;
  recommended: { steps: number; guidance: number; scheduler: string };
  /** Parameter counts of the published weights, per part (vae = both halves and their quant convs). */
  published: { unet: number; textEncoder: number; textEncoder2?: number; vae: number };
}

const CLIP_L: ClipTextConfig = { vocabSize: 49408, hidden: 768, intermediate: 3072, layers: 12, heads: 12, act: 'quick_gelu', hiddenStates: false, maxPositions: 77, eps: 1e-5 };
/** OpenCLIP ViT-H as SD 2.x ships it: 23 of its 24 layers (the "penultimate" layer is the last kept). */
const OPEN_CLIP_H: ClipTextConfig = { vocabSize: 49408, hidden: 1024, intermediate: 4096, layers: 23, heads: 16, act: 'gelu', hiddenStates: false, maxPositions: 77, eps: 1e-5 };
const OPEN_CLIP_BIG_G: ClipTextConfig = { vocabSize: 49408, hidden: 1280, intermediate: 5120, layers: 32, heads: 20, act: 'gelu', projection: 1280, hiddenStates: true, maxPositions: 77, eps: 1e-5 };
const SD_VAE: VaeConfig = { blockOut: [128, 256, 512, 512], layersPerBlock: 2, latentChannels: 4, groups: 32 };

const SD1_DOWN: UnetConfig['down'] = ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'];
const SD1_UP: UnetConfig['up'] = ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'];

const SD_BETAS = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', trained_betas: null, clip_sample: false, set_alpha_to_one: false, prediction_type: 'epsilon' };

export const ARCHITECTURES: Record<StandinFamily, StandinArchitecture> = {
  sd15: {
    family: 'sd15',
    label: 'Stand-in · SD 1.5 architecture (random weights)',
    unet: { inChannels: 4, outChannels: 4, blockOut: [320, 640, 1280, 1280], down: SD1_DOWN, up: SD1_UP, layersPerBlock: 2, transformerLayers: [1, 1, 1, 1], heads: [8, 8, 8, 8], crossDim: 768, linearProjection: false, groups: 32 },
    textEncoder: CLIP_L,
    vae: SD_VAE,
    vaeScalingFactor: 0.18215,
    size: 512,
    scheduler: { _class_name: 'PNDMScheduler', _diffusers_version: '0.6.0', ...SD_BETAS, skip_prk_steps: true, steps_offset: 1 },
    recommended: { steps: 30, guidance: 7.5, scheduler: 'euler' },
    published: { unet: 859_520_964, textEncoder: 123_060_480, vae: 83_653_863 },
  },
  'sd-turbo': {
    family: 'sd-turbo',
    label: 'Stand-in · SD-Turbo architecture (random weights)',
    unet: { inChannels: 4, outChannels: 4, blockOut: [320, 640, 1280, 1280], down: SD1_DOWN, up: SD1_UP, layersPerBlock: 2, transformerLayers: [1, 1, 1, 1], heads: [5, 10, 20, 20], crossDim: 1024, linearProjection: true, groups: 32 },
    textEncoder: OPEN_CLIP_H,
    vae: SD_VAE,
    vaeScalingFactor: 0.18215,
    size: 512,
    scheduler: { _class_name: 'EulerDiscreteScheduler', _diffusers_version: '0.24.0', ...SD_BETAS, interpolation_type: 'linear', steps_offset: 1, timestep_spacing: 'trailing', use_karras_sigmas: false },
    recommended: { steps: 1, guidance: 0, scheduler: 'euler-a' },
    published: { unet: 865_910_724, textEncoder: 340_387_840, vae: 83_653_863 },
  },
  sdxl: {
    family: 'sdxl',
    label: 'Stand-in · SDXL architecture (random weights)',
    unet: {
      inChannels: 4,
      outChannels: 4,
      blockOut: [320, 640, 1280],
      down: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
      up: ['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
      layersPerBlock: 2,
      transformerLayers: [1, 2, 10],
      heads: [5, 10, 20],
      crossDim: 2048,
      linearProjection: true,
      groups: 32,
      addEmbed: { timeDim: 256, textEmbedDim: 1280 },
    },
    textEncoder: { ...CLIP_L, hiddenStates: true },
    textEncoder2: OPEN_CLIP_BIG_G,
    vae: SD_VAE,
    vaeScalingFactor: 0.13025,
    size: 1024,
    scheduler: { _class_name: 'EulerDiscreteScheduler', _diffusers_version: '0.19.0', ...SD_BETAS, interpolation_type: 'linear', steps_offset: 1, timestep_spacing: 'leading', use_karras_sigmas: false },
    recommended: { steps: 30, guidance: 5, scheduler: 'euler' },
    published: { unet: 2_567_463_684, textEncoder: 123_060_480, textEncoder2: 694_659_840, vae: 83_653_863 },
  },
};

function tinyClip(c: ClipTextConfig): ClipTextConfig {
  return { ...c, hidden: 32, intermediate: 64, layers: 2, heads: 2, projection: c.projection ? 32 : undefined };
}

/**
 * The same graph families at a few thousand parameters per block (plus CLIP's 49408-row embedding),
 * for tests: every block type, module name and input/output of the full model, built in well under a second.
 */
export function tinyArchitecture(family: StandinFamily): StandinArchitecture {
  const a = ARCHITECTURES[family];
  const xl = a.textEncoder2 !== undefined;
  const clip = tinyClip(a.textEncoder);
  const clip2 = a.textEncoder2 && tinyClip(a.textEncoder2);
  return {
    ...a,
    label: `${a.label} · tiny`,
    unet: {
      ...a.unet,
      blockOut: a.unet.blockOut.map((c) => c / 10),
      layersPerBlock: 1,
      transformerLayers: a.unet.transformerLayers.map(() => 1),
      heads: a.unet.heads.map(() => 2),
      crossDim: xl ? clip.hidden + clip2!.hidden : clip.hidden,
      addEmbed: a.unet.addEmbed && { timeDim: 8, textEmbedDim: clip2!.projection! },
      groups: 8,
    },
    textEncoder: clip,
    textEncoder2: clip2,
    vae: { ...a.vae, blockOut: [16, 16, 32, 32], layersPerBlock: 1, groups: 8 },
    size: 64,
  };
}
