"""Build the tiny random-weight test models (and, with --bench, a heavier benchmark model) in the
diffusers/optimum ONNX layout, with diffusers' and CLIP's module names (hfnets.py), so their node
names are those of real exports. Deterministic from --seed.

  /usr/bin/python3 native-models/recipes/build_test_models.py [--seed 1234] [--bench] [--out DIR]
"""
import argparse
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hfnets import CLIPTextModel, UNet2DConditionModel  # noqa: E402
from sdnet import VAEDecoder, VAEEncoder  # noqa: E402
from sdlayout import (euler_config, export_text_encoder, export_unet, export_vae, pndm_config,  # noqa: E402
                      sd15_model_index, write_json, write_tokenizer)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def fresh(folder):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)


def sd15_unet_config(in_channels, ctx_dim, channels=(32, 64), layers=2, heads=2, groups=8):
    """SD 1.5's UNet config (CompVis/stable-diffusion-v1-5 unet/config.json) scaled down: the last
    level without attention, 1x1-conv projections (use_linear_projection false)."""
    n = len(channels)
    return dict(in_channels=in_channels, out_channels=4, block_out_channels=tuple(channels),
                down_block_types=('CrossAttnDownBlock2D',) * (n - 1) + ('DownBlock2D',),
                up_block_types=('UpBlock2D',) + ('CrossAttnUpBlock2D',) * (n - 1),
                layers_per_block=layers, cross_attention_dim=ctx_dim, attention_head_dim=heads,
                norm_num_groups=groups, use_linear_projection=False)


def sdxl_unet_config(ctx_dim, pooled, time_dim=8, channels=(32, 64), layers=2, heads=2, groups=8):
    """SDXL base's UNet config scaled down: the first level without attention, deeper transformers
    further down (transformer_layers_per_block), linear projections, text_time addition embedding."""
    n = len(channels)
    return dict(in_channels=4, out_channels=4, block_out_channels=tuple(channels),
                down_block_types=('DownBlock2D',) + ('CrossAttnDownBlock2D',) * (n - 1),
                up_block_types=('CrossAttnUpBlock2D',) * (n - 1) + ('UpBlock2D',),
                layers_per_block=layers, cross_attention_dim=ctx_dim, attention_head_dim=heads,
                transformer_layers_per_block=tuple(range(1, n + 1)), norm_num_groups=groups,
                use_linear_projection=True, addition_embed_type='text_time', addition_time_embed_dim=time_dim,
                projection_class_embeddings_input_dim=pooled + 6 * time_dim)


def build_sd15(folder, seed, inpaint=False, text_dim=16, unet_ch=(16, 32), vae_ch=(16, 16, 32), text_layers=2,
               heads=2, fp16_embedding=True):
    torch.manual_seed(seed)
    fresh(folder)
    write_json(os.path.join(folder, 'model_index.json'), sd15_model_index())
    write_tokenizer(os.path.join(folder, 'tokenizer'))
    write_json(os.path.join(folder, 'scheduler', 'scheduler_config.json'), pndm_config())
    enc = CLIPTextModel(text_dim, text_layers, heads, 'quick_gelu', fp16_embedding=fp16_embedding)
    export_text_encoder(enc, os.path.join(folder, 'text_encoder'))
    unet = UNet2DConditionModel(**sd15_unet_config(9 if inpaint else 4, text_dim, unet_ch, heads=heads))
    # The inpaint variant takes int64 [1] timesteps (optimum <= 1.23); the base one float32 [1].
    ts = torch.tensor([999], dtype=torch.int64) if inpaint else torch.tensor([999.0])
    export_unet(unet, os.path.join(folder, 'unet'), text_dim, 64, ts)
    venc, vdec = VAEEncoder(vae_ch), VAEDecoder(tuple(reversed(vae_ch)))
    export_vae(venc, vdec, folder, 0.18215, 512, 'params' if inpaint else 'mean')


def build_sdxl(folder, seed, d1=16, d2=16, pooled=16, unet_ch=(16, 32), vae_ch=(16, 16, 32)):
    torch.manual_seed(seed)
    fresh(folder)
    ort = ['onnxruntime.training', 'ORTModel']
    write_json(os.path.join(folder, 'model_index.json'), {
        '_class_name': 'ORTStableDiffusionXLPipeline', '_diffusers_version': '0.19.0',
        'force_zeros_for_empty_prompt': True, 'add_watermarker': None,
        'scheduler': ['diffusers', 'EulerDiscreteScheduler'], 'text_encoder': ort, 'text_encoder_2': ort,
        'tokenizer': ['transformers', 'CLIPTokenizer'], 'tokenizer_2': ['transformers', 'CLIPTokenizer'],
        'unet': ort, 'vae_decoder': ort, 'vae_encoder': ort})
    write_tokenizer(os.path.join(folder, 'tokenizer'))
    write_tokenizer(os.path.join(folder, 'tokenizer_2'), pad='!')
    write_json(os.path.join(folder, 'scheduler', 'scheduler_config.json'), euler_config())
    # SDXL's encoders: CLIP ViT-L (quick_gelu, hidden states out) and OpenCLIP bigG (gelu, projection).
    enc1 = CLIPTextModel(d1, 2, 2, 'quick_gelu', fp16_embedding=True, hidden=True)
    enc2 = CLIPTextModel(d2, 2, 2, 'gelu', projection_dim=pooled, fp16_embedding=True)
    export_text_encoder(enc1, os.path.join(folder, 'text_encoder'), hidden=True)
    export_text_encoder(enc2, os.path.join(folder, 'text_encoder_2'), projected=True)
    ctx = d1 + d2
    unet = UNet2DConditionModel(**sdxl_unet_config(ctx, pooled, channels=unet_ch))
    export_unet(unet, os.path.join(folder, 'unet'), ctx, 128, torch.tensor(999.0), external_data=True, sdxl=pooled)
    venc, vdec = VAEEncoder(vae_ch), VAEDecoder(tuple(reversed(vae_ch)))
    export_vae(venc, vdec, folder, 0.13025, 1024)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--out', default=os.path.join(ROOT, 'test-models'))
    ap.add_argument('--bench', action='store_true', help='also build the heavier benchmark model into native-models/.bench/')
    ap.add_argument('--only-bench', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(2)
    if not a.only_bench:
        build_sd15(os.path.join(a.out, 'sd15-tiny'), a.seed)
        build_sd15(os.path.join(a.out, 'sd15-inpaint-tiny'), a.seed + 1, inpaint=True)
        build_sdxl(os.path.join(a.out, 'sdxl-tiny'), a.seed + 2)
    if a.bench or a.only_bench:
        # UNet compute dominates a step here, as in real models (where it is ~90% of the time).
        build_sd15(os.path.join(ROOT, '.bench', 'sd15-bench'), a.seed + 3, text_dim=256, unet_ch=(128, 256, 256),
                   vae_ch=(32, 64, 128), text_layers=2, heads=4, fp16_embedding=False)
    print('done')


if __name__ == '__main__':
    main()
