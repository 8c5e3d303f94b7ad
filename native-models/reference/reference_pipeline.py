#!/usr/bin/env python3
"""Reference pipeline: the diffusers Stable Diffusion pipelines transcribed in torch + NumPy and run
on the tiny test models, writing fixtures that electron/core/engine/reference.test.ts compares the
engine (onnxruntime-node) against. No onnxruntime here: the networks are the recipe's own torch
modules with the exported weights (torch_models.py), the initial/step noise comes from a port of the
engine's RNG (pcg32.py), the tokenizer is recipes/clip_bpe.py.

Transcribed from diffusers' StableDiffusionPipeline, StableDiffusionImg2ImgPipeline,
StableDiffusionInpaintPipeline (9-channel UNet, and latent blending for 4-channel UNets) and
StableDiffusionXLPipeline, with the choices the engine makes on purpose:
  * the VAE encoder's mean is used, not a sample of the latent distribution (deterministic);
  * image b of a batch draws its noise from its own stream createRng(seed + b);
  * SDXL: an empty negative prompt is diffusers' `negative_prompt=None` (zeros with
    force_zeros_for_empty_prompt), as the app has no separate "no negative prompt" state.

  /usr/bin/python3 native-models/reference/reference_pipeline.py   # rewrites fixtures/ (~10 s)
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pcg32 import Pcg32  # noqa: E402
import samplers  # noqa: E402
from torch_models import RECIPES, TEST_MODELS, load_controlnets, load_models  # noqa: E402

sys.path.insert(0, RECIPES)
from clip_bpe import ClipBPE  # noqa: E402
from hfcontrolnet import with_residual_inputs  # noqa: E402

FIXTURES = os.path.join(HERE, 'fixtures')


def read_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


class Tokenizer:
    """CLIP BPE with the folder's own pad token (SD1: <|endoftext|>; SDXL tokenizer_2: '!', id 0)."""

    def __init__(self, folder):
        self.bpe = ClipBPE(folder)
        pad = read_json(os.path.join(folder, 'tokenizer_config.json')).get('pad_token', '<|endoftext|>')
        self.pad = self.bpe.encoder[pad['content'] if isinstance(pad, dict) else pad]

    def __call__(self, text):
        return self.bpe(text, 77, self.pad)


class Model:
    def __init__(self, name, modules):
        self.name = name
        self.dir = os.path.join(TEST_MODELS, name)
        self.m = modules
        self.xl = 'text_encoder_2' in modules
        self.tok = Tokenizer(os.path.join(self.dir, 'tokenizer'))
        self.tok2 = Tokenizer(os.path.join(self.dir, 'tokenizer_2')) if self.xl else None
        self.vae_scale = read_json(os.path.join(self.dir, 'vae_decoder', 'config.json'))['scaling_factor']
        self.scheduler_config = read_json(os.path.join(self.dir, 'scheduler', 'scheduler_config.json'))
        self.in_channels = self.m['unet'].conv_in.in_channels
        unet_inputs = onnx.load(os.path.join(self.dir, 'unet', 'model.onnx'), load_external_data=False).graph.input
        ts_type = next(i.type.tensor_type.elem_type for i in unet_inputs if i.name == 'timestep')
        self.integer_timestep = ts_type in (onnx.TensorProto.INT64, onnx.TensorProto.INT32)


def ids_tensor(ids):
    return torch.tensor([ids], dtype=torch.int64)


# ---- prompt encoding (StableDiffusionPipeline.encode_prompt / StableDiffusionXLPipeline.encode_prompt) ----
def encode_prompt_sd(model, prompt, negative, cfg):
    enc = model.m['text_encoder'].enc
    cond = enc.encode(ids_tensor(model.tok(prompt)))[0]
    if not cfg:
        return {'ctx': cond}
    uncond = enc.encode(ids_tensor(model.tok(negative or '')))[0]
    # [uncond, cond]: one UNet call on a batch of two, unconditional first.
    return {'ctx': torch.cat([uncond, cond])}


def encode_prompt_sdxl(model, prompt, negative, cfg, height, width):
    enc1, enc2 = model.m['text_encoder'].enc, model.m['text_encoder_2'].enc

    def encode(text):
        h1 = enc1.encode(ids_tensor(model.tok(text)))[2][-2]
        _, pooled, hidden2 = enc2.encode(ids_tensor(model.tok2(text)))
        # hidden_states[-2] of both encoders, side by side; pooled (text_embeds) of encoder 2 only.
        return torch.cat([h1, hidden2[-2]], dim=-1), enc2.project(pooled)

    ctx, pooled = encode(prompt)
    # add_time_ids = original_size + crops_coords_top_left + target_size, sizes as (height, width).
    time_ids = torch.tensor([[height, width, 0, 0, height, width]], dtype=torch.float32)
    if not cfg:
        return {'ctx': ctx, 'text_embeds': pooled, 'time_ids': time_ids}
    if not negative:
        neg_ctx, neg_pooled = torch.zeros_like(ctx), torch.zeros_like(pooled)
    else:
        neg_ctx, neg_pooled = encode(negative)
    return {'ctx': torch.cat([neg_ctx, ctx]), 'text_embeds': torch.cat([neg_pooled, pooled]),
            'time_ids': torch.cat([time_ids, time_ids])}


# ---- pixels <-> latents (VaeImageProcessor, AutoencoderKL) --------------------------------------
def image_to_model(rgb):
    """uint8 HxWx3 -> [1, 3, H, W] in [-1, 1] (preprocess: /255 then 2x - 1)."""
    x = torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    return 2.0 * x - 1.0


def vae_encode(model, pixels):
    out = model.m['vae_encoder'](pixels)
    return out[:, :4].double().numpy() * model.vae_scale  # the distribution's mean


def vae_decode(model, latents):
    x = model.m['vae_decoder'](torch.from_numpy(latents / model.vae_scale).float())
    x = ((x / 2 + 0.5).clamp(0, 1) * 255).round()
    return x[0].permute(1, 2, 0).to(torch.uint8).numpy()


def mask_tensors(mask_u8):
    """mask_processor (binarize at 0.5) -> pixel mask [1,1,H,W]; latent mask by nearest interpolation."""
    m = torch.from_numpy((mask_u8.astype(np.float32) / 255.0 >= 0.5).astype(np.float32))[None, None]
    h, w = mask_u8.shape
    return m, F.interpolate(m, size=(h // 8, w // 8))


# ---- the sampling loop shared by the pipelines ---------------------------------------------------
def control_residuals(controls, k, n, x, t, cond, xl):
    """StableDiffusionControlNetPipeline: every ControlNet runs on the same scaled latents, timestep and
    prompt batch as the UNet (control_model_input = latent_model_input, both CFG halves; the image is
    repeated over the batch), with cond_scale = conditioning_scale * controlnet_keep[i], where
    keep = 1 - float(i / len(timesteps) < start or (i + 1) / len(timesteps) > end) over the timesteps the
    pipeline runs; MultiControlNetModel sums the residuals. Run literally: a control outside its window
    still runs, with scale 0."""
    down = mid = None
    for c in controls:
        keep = 1.0 - float(k / n < c['start'] or (k + 1) / n > c['end'])
        image = c['image'].expand(x.shape[0], -1, -1, -1)
        extra = (cond['text_embeds'], cond['time_ids']) if xl else ()
        out = c['net'](x, t, cond['ctx'], image, c['scale'] * keep, *extra)
        d, m = out[:-1], out[-1]
        if down is None:
            down, mid = list(d), m
        else:
            down, mid = [a + b for a, b in zip(down, d)], mid + m
    return down, mid


def generate_one(model, s, cond, seed, init_rgb=None, mask_u8=None, controls=None):
    h, w = s['height'] // 8, s['width'] // 8
    cfg = s['guidance'] > 1.0
    sched = samplers.make(s['scheduler'], model.scheduler_config, s['steps'])
    rng = Pcg32(seed)

    def randn(n):
        return rng.normals(n).astype(np.float64)

    timesteps = sched.timesteps
    start = 0
    image_latents = None
    if init_rgb is not None:
        image_latents = vae_encode(model, image_to_model(init_rgb))
        # get_timesteps: init_timestep = min(int(N * strength), N); t_start = max(N - init_timestep, 0)
        n = s['steps']
        start = max(n - min(int(n * s['strength']), n), 0)
    noise = randn(4 * h * w).reshape(1, 4, h, w)
    extra = None
    blend_mask = None
    if s['mode'] == 'inpaint':
        pixel_mask, latent_mask = mask_tensors(mask_u8)
        if model.in_channels == 9:
            masked = image_to_model(init_rgb) * (pixel_mask < 0.5)
            masked_latents = torch.from_numpy(vae_encode(model, masked)).float()
            extra = torch.cat([latent_mask, masked_latents], dim=1)
        else:
            blend_mask = latent_mask.double().numpy()
    if s['mode'] == 'txt2img' or (s['mode'] == 'inpaint' and s['strength'] >= 1.0):
        # txt2img, and inpaint at full strength (is_strength_max): pure noise scaled by the sampler.
        latents = noise * sched.init_noise_sigma
    else:
        latents = sched.add_noise(image_latents, noise, start)

    for i in range(start, len(timesteps)):
        x = np.concatenate([latents, latents]) if cfg else latents
        x = torch.from_numpy(sched.scale_model_input(x, i)).float()
        control_input = x  # the ControlNet sees the 4 latent channels, also beside a 9-channel UNet
        if extra is not None:
            x = torch.cat([x, extra.expand(x.shape[0], -1, -1, -1)], dim=1)
        # The ONNX pipelines feed np.array([t], dtype=<the UNet's timestep type>): an integer UNet gets the
        # timestep truncated (Euler linspace timesteps can be fractional, e.g. 499.5 at 3 steps).
        t_value = float(int(timesteps[i])) if model.integer_timestep else timesteps[i]
        t = torch.tensor([t_value], dtype=torch.float32)
        batch = x.shape[0]
        kwargs = {}
        if model.xl:
            kwargs = {'text_embeds': cond['text_embeds'], 'time_ids': cond['time_ids']}
        if controls:
            t_cn = torch.tensor([timesteps[i]], dtype=torch.float32)  # the test ControlNets take float timesteps
            down, mid = control_residuals(controls, i - start, len(timesteps) - start, control_input, t_cn, cond, model.xl)
            xl_args = (kwargs['text_embeds'], kwargs['time_ids']) if model.xl else ()
            eps = with_residual_inputs(model.m['unet'])(x, t, cond['ctx'], *xl_args, *down, mid).double().numpy()
        else:
            eps = model.m['unet'](x, t, cond['ctx'], **kwargs).double().numpy()
        assert eps.shape[0] == batch
        if cfg:
            uncond, text = eps[:1], eps[1:]
            eps = uncond + s['guidance'] * (text - uncond)
        latents = sched.step(eps, i, latents, randn)
        if blend_mask is not None:
            # 4-channel inpainting: the kept area is the original noised to the next step's level.
            proper = image_latents if i == len(timesteps) - 1 else sched.add_noise(image_latents, noise, i + 1)
            latents = (1 - blend_mask) * proper + blend_mask * latents
    return vae_decode(model, latents), {'timesteps': timesteps[start:], 'initNoiseSigma': sched.init_noise_sigma,
                                        'noiseHead': [float(v) for v in noise.reshape(-1)[:4]],
                                        'latentMean': float(latents.mean()), 'latentStd': float(latents.std())}


@torch.no_grad()
def run_case(model, case, init_rgb=None, mask_u8=None, controls=None):
    s = case['settings']
    cfg = s['guidance'] > 1.0
    if model.xl:
        cond = encode_prompt_sdxl(model, s['prompt'], s['negativePrompt'], cfg, s['height'], s['width'])
    else:
        cond = encode_prompt_sd(model, s['prompt'], s['negativePrompt'], cfg)
    images, info = [], None
    for b in range(s.get('batch', 1)):
        img, info_b = generate_one(model, s, cond, (s['seed'] + b) & 0xFFFFFFFF, init_rgb, mask_u8, controls)
        images.append(img)
        info = info or info_b
    return images, info


# ---- the cases and the fixture files -------------------------------------------------------------
INPAINT_PLAIN = {'maskFeather': 0, 'colorMatch': False, 'blend': 'linear', 'prefill': 'none', 'maskMargin': 0}
CASES = [
    # Negative prompt, CFG batch order, init_noise_sigma (linspace: sigma_max), ancestral step noise
    # continuing the seed's stream, and a batch of two (seeds 1234, 1235).
    {'name': 'sd15-txt2img-euler-a', 'model': 'sd15-tiny', 'settings': {
        'mode': 'txt2img', 'prompt': 'a red circle on a blue square', 'negativePrompt': 'blurry, dark',
        'width': 64, 'height': 64, 'steps': 4, 'guidance': 7, 'scheduler': 'euler-a', 'seed': 1234, 'batch': 2}},
    # A multistep sampler over a batch: each image needs its own scheduler state (DPM++ keeps the last x0).
    {'name': 'sd15-txt2img-dpmpp-karras', 'model': 'sd15-tiny', 'settings': {
        'mode': 'txt2img', 'prompt': 'a castle on a hill at night', 'negativePrompt': 'daylight',
        'width': 64, 'height': 64, 'steps': 4, 'guidance': 7, 'scheduler': 'dpmpp-2m-karras', 'seed': 5, 'batch': 2}},
    # VAE encode x scaling_factor, strength -> 2 of 4 DDIM steps, add_noise at the start timestep.
    {'name': 'sd15-img2img-ddim', 'model': 'sd15-tiny', 'settings': {
        'mode': 'img2img', 'prompt': 'a yellow sun over a green hill', 'negativePrompt': '',
        'width': 64, 'height': 64, 'steps': 4, 'guidance': 7.5, 'scheduler': 'ddim', 'seed': 42, 'strength': 0.6}},
    # img2img at strength 1: diffusers still noises the encoded image (no pure-noise shortcut as in inpaint).
    {'name': 'sd15-img2img-ddim-full', 'model': 'sd15-tiny', 'settings': {
        'mode': 'img2img', 'prompt': 'a yellow sun over a green hill', 'negativePrompt': '',
        'width': 64, 'height': 64, 'steps': 3, 'guidance': 7.5, 'scheduler': 'ddim', 'seed': 42, 'strength': 1}},
    # 9-channel UNet: latents | mask at latent size | masked-image latents. The mask is on the 8 px grid,
    # where the engine's any-pixel cell rule and diffusers' nearest interpolation agree. This UNet takes
    # int64 timesteps and 3 Euler steps give 999, 499.5, 0: the middle one is truncated to 499.
    {'name': 'sd15-inpaint9-euler', 'model': 'sd15-inpaint-tiny', 'settings': {
        'mode': 'inpaint', 'prompt': 'a white cat sitting', 'negativePrompt': 'ugly',
        'width': 64, 'height': 64, 'steps': 3, 'guidance': 7.5, 'scheduler': 'euler', 'seed': 7, 'strength': 1,
        **INPAINT_PLAIN}},
    # 4-channel UNet: latent blending with the original noised to each next step; strength < 1.
    {'name': 'sd15-inpaint4-blend-euler', 'model': 'sd15-tiny', 'settings': {
        'mode': 'inpaint', 'prompt': 'a green tree', 'negativePrompt': 'text',
        'width': 64, 'height': 64, 'steps': 4, 'guidance': 6, 'scheduler': 'euler', 'seed': 99, 'strength': 0.75,
        **INPAINT_PLAIN}},
    # SDXL: penultimate states of both encoders, pooled text_embeds, time_ids (h, w, 0, 0, h, w) on a
    # non-square size, zeros for the empty negative prompt, leading spacing (sqrt(sigma_max^2 + 1)).
    {'name': 'sdxl-txt2img-euler', 'model': 'sdxl-tiny', 'settings': {
        'mode': 'txt2img', 'prompt': 'a lighthouse at dusk, oil painting', 'negativePrompt': '',
        'width': 96, 'height': 64, 'steps': 4, 'guidance': 5, 'scheduler': 'euler', 'seed': 2026}},
    # SDXL the other way up, with a negative prompt through both encoders (its pooled embeds too), ancestral.
    {'name': 'sdxl-txt2img-euler-a-negative', 'model': 'sdxl-tiny', 'settings': {
        'mode': 'txt2img', 'prompt': 'a red fox in the snow', 'negativePrompt': 'low quality, watermark',
        'width': 64, 'height': 96, 'steps': 3, 'guidance': 6, 'scheduler': 'euler-a', 'seed': 31337}},
]

# ControlNet (issue 20): StableDiffusionControlNetPipeline, its Img2Img and Inpaint variants and the SDXL one.
CN = 'controlnet-sd15-tiny'  # timestep float32 [1], conditioning_scale float32 scalar
CN_B = 'controlnet-sd15-tiny-b'  # model.onnx at the root, timestep [batch], conditioning_scale float64 [1]
CN_XL = 'controlnet-sdxl-tiny'
CASES += [
    # One ControlNet on both CFG halves, scaled; the residual UNet is sd15-tiny's controlnet/model.onnx.
    {'name': 'sd15-cn-one-euler', 'model': 'sd15-tiny', 'controls': [{'model': CN, 'scale': 1.0}], 'settings': {
        'mode': 'txt2img', 'prompt': 'a red circle on a blue square', 'negativePrompt': 'blurry',
        'width': 64, 'height': 64, 'steps': 4, 'guidance': 7, 'scheduler': 'euler', 'seed': 301}},
    # Two ControlNets, different scales: residuals summed (MultiControlNetModel).
    {'name': 'sd15-cn-two-scales', 'model': 'sd15-tiny',
     'controls': [{'model': CN, 'scale': 0.7}, {'model': CN_B, 'scale': 0.35, 'map': 1}], 'settings': {
         'mode': 'txt2img', 'prompt': 'a house by a lake', 'negativePrompt': '',
         'width': 64, 'height': 64, 'steps': 4, 'guidance': 7, 'scheduler': 'euler-a', 'seed': 302}},
    # start/end 0.2/0.8 over 5 steps: steps 1..3 guided, 0 and 4 not.
    {'name': 'sd15-cn-start-end', 'model': 'sd15-tiny', 'controls': [{'model': CN, 'scale': 1.0, 'start': 0.2, 'end': 0.8}],
     'settings': {'mode': 'txt2img', 'prompt': 'a tall tower', 'negativePrompt': 'fog',
                  'width': 64, 'height': 64, 'steps': 5, 'guidance': 7, 'scheduler': 'ddim', 'seed': 303}},
    # Guidance 1: no CFG batch, the ControlNet on the conditional half only; the UNet declaring the residuals.
    {'name': 'sd15-cn-guidance1', 'model': 'sd15-cn-tiny', 'unet_from': 'sd15-tiny', 'controls': [{'model': CN_B, 'scale': 0.8}],
     'settings': {'mode': 'txt2img', 'prompt': 'a boat at sea', 'negativePrompt': '',
                  'width': 64, 'height': 64, 'steps': 4, 'guidance': 1, 'scheduler': 'euler', 'seed': 304}},
    # img2img: the window is a fraction of the steps run (6 of 10 at strength 0.6): 0.5..1 guides the last 3
    # (over the whole schedule it would guide the last 5).
    {'name': 'sd15-cn-img2img', 'model': 'sd15-tiny', 'controls': [{'model': CN, 'scale': 1.2, 'start': 0.5, 'end': 1.0}],
     'settings': {'mode': 'img2img', 'prompt': 'a yellow sun over a green hill', 'negativePrompt': '',
                  'width': 64, 'height': 64, 'steps': 10, 'guidance': 7.5, 'scheduler': 'ddim', 'seed': 305, 'strength': 0.6}},
    # Inpaint (4-channel UNet, latent blending) with a ControlNet.
    {'name': 'sd15-cn-inpaint', 'model': 'sd15-tiny', 'controls': [{'model': CN, 'scale': 1.0}], 'settings': {
        'mode': 'inpaint', 'prompt': 'a green tree', 'negativePrompt': 'text',
        'width': 64, 'height': 64, 'steps': 4, 'guidance': 6, 'scheduler': 'euler', 'seed': 306, 'strength': 0.75,
        **INPAINT_PLAIN}},
    # SDXL: text_embeds and time_ids into the ControlNet too, non-square, guidance 5.
    {'name': 'sdxl-cn-one', 'model': 'sdxl-tiny', 'controls': [{'model': CN_XL, 'scale': 0.9}], 'settings': {
        'mode': 'txt2img', 'prompt': 'a lighthouse at dusk', 'negativePrompt': 'low quality',
        'width': 96, 'height': 64, 'steps': 4, 'guidance': 5, 'scheduler': 'euler', 'seed': 307}},
    # SDXL img2img, guidance 1, start/end 0.2/0.8.
    {'name': 'sdxl-cn-img2img-guidance1', 'model': 'sdxl-tiny', 'controls': [{'model': CN_XL, 'scale': 1.0, 'start': 0.2, 'end': 0.8}],
     'settings': {'mode': 'img2img', 'prompt': 'a red fox in the snow', 'negativePrompt': '',
                  'width': 64, 'height': 96, 'steps': 6, 'guidance': 1, 'scheduler': 'euler', 'seed': 308, 'strength': 0.9}},
]


def control_map(width, height, variant=0):
    """A scribble: white strokes (a ring and a diagonal, or a box) on black, 0..255 RGB."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    if variant == 0:
        r = np.hypot(x - 0.5 * width, y - 0.5 * height)
        on = (np.abs(r - 0.3 * min(width, height)) < 1.5) | (np.abs(x - y * width / height) < 1.2)
    else:
        on = ((np.abs(x - 0.25 * width) < 1.5) | (np.abs(x - 0.75 * width) < 1.5)) & (y > 0.2 * height) & (y < 0.8 * height)
    img = np.zeros((height, width, 3), dtype=np.uint8)
    img[on] = 255
    return img


def init_picture(width, height):
    """Smooth gradients, stripes and a disc: varied enough that the VAE latents carry the picture."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 40 + 150 * x / (width - 1)
    g = 60 + 120 * y / (height - 1)
    b = 128 + 90 * np.sin(x / 5.0) * np.cos(y / 7.0)
    img = np.stack([r, g, b], axis=-1)
    disc = (x - 0.62 * width) ** 2 + (y - 0.4 * height) ** 2 < (0.2 * min(width, height)) ** 2
    img[disc] = (230, 200, 40)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def grid_mask(width, height):
    """A rectangle on whole 8 px cells (x 16..39, y 24..47 at 64 px)."""
    m = np.zeros((height, width), dtype=np.uint8)
    m[height * 3 // 8: height * 6 // 8, width * 2 // 8: width * 5 // 8] = 255
    return m


def save_png(array, name):
    Image.fromarray(array).save(os.path.join(FIXTURES, name), optimize=True)
    return name


def main():
    models = load_models()
    controlnets = load_controlnets(models)
    os.makedirs(FIXTURES, exist_ok=True)
    for f in os.listdir(FIXTURES):
        if f.endswith(('.json', '.png')):
            os.remove(os.path.join(FIXTURES, f))
    for case in CASES:
        # sd15-cn-tiny is sd15-tiny's files with the residual UNet as unet/ (same weights).
        model = Model(case['model'], models[case.get('unet_from', case['model'])])
        s = case['settings']
        out = {'note': 'written by native-models/reference/reference_pipeline.py; do not edit',
               'name': case['name'], 'model': case['model'], 'settings': s}
        init = mask = None
        if s['mode'] != 'txt2img':
            init = init_picture(s['width'], s['height'])
            out['initImage'] = save_png(init, f"{case['name']}.init.png")
        if s['mode'] == 'inpaint':
            mask = grid_mask(s['width'], s['height'])
            out['mask'] = save_png(mask, f"{case['name']}.mask.png")
        controls = None
        if case.get('controls'):
            controls, out['controls'] = [], []
            for j, c in enumerate(case['controls']):
                rgb = control_map(s['width'], s['height'], c.get('map', 0))
                name = save_png(rgb, f"{case['name']}.control{j}.png")
                spec = {'model': c['model'], 'image': name, 'scale': c['scale'], 'start': c.get('start', 0.0), 'end': c.get('end', 1.0)}
                out['controls'].append(spec)
                image = torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None]  # 0..1, not normalised
                controls.append({**spec, 'net': controlnets[c['model']], 'image': image})
        images, info = run_case(model, case, init, mask, controls)
        out['expected'] = [save_png(img, f"{case['name']}.expected{b}.png") for b, img in enumerate(images)]
        # Inpaint: diffusers returns the decoded picture; the engine pastes it into the original inside the
        # mask, so only the masked pixels are compared (and the rest must be the original's bytes).
        out['compare'] = 'mask' if s['mode'] == 'inpaint' else 'image'
        out['tokens'] = {'prompt': model.tok(s['prompt']), 'negativePrompt': model.tok(s['negativePrompt'])}
        out.update(info)
        with open(os.path.join(FIXTURES, f"{case['name']}.json"), 'w', encoding='utf-8') as f:
            json.dump(out, f, indent=1)
            f.write('\n')
        print(f"{case['name']}: {len(images)} image(s), timesteps {info['timesteps']}", file=sys.stderr)


if __name__ == '__main__':
    main()
