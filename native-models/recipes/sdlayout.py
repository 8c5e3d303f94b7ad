"""Writers for the diffusers/optimum ONNX folder layout: model_index.json, tokenizer folders,
scheduler and per-part config.json files, and the ONNX exports of each part. Shared by the
test-model recipe and the demo-model trainer so both produce the layout the engine loads."""
import json
import os
import shutil

import torch

from sdnet import (TextEncoderExport, VAEEncoderExport, export, text_encoder_output_names)

# The real CLIP vocabulary lives in ../shared beside the checkout (ATELIER_CLIP_TOKENIZER overrides).
CLIP_TOKENIZER_DIR = os.environ.get('ATELIER_CLIP_TOKENIZER') or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'models', 'clip-tokenizer'))


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2)
        f.write('\n')


def _added(content):
    return {'__type': 'AddedToken', 'content': content, 'lstrip': False, 'normalized': True,
            'rstrip': False, 'single_word': False}


def write_tokenizer(folder, pad='<|endoftext|>'):
    """vocab.json + merges.txt from the real CLIP tokenizer, configs as SD1.5 (pad <|endoftext|>)
    or SDXL's tokenizer_2 / SD2 (pad '!', id 0) ship them."""
    os.makedirs(folder, exist_ok=True)
    for name in ('vocab.json', 'merges.txt'):
        shutil.copyfile(os.path.join(CLIP_TOKENIZER_DIR, name), os.path.join(folder, name))
    write_json(os.path.join(folder, 'tokenizer_config.json'), {
        'add_prefix_space': False,
        'bos_token': _added('<|startoftext|>'),
        'clean_up_tokenization_spaces': True,
        'do_lower_case': True,
        'eos_token': _added('<|endoftext|>'),
        'errors': 'replace',
        'model_max_length': 77,
        'pad_token': pad if pad == '<|endoftext|>' else _added(pad),
        'tokenizer_class': 'CLIPTokenizer',
        'unk_token': _added('<|endoftext|>'),
    })
    special = {k: dict(_added(v)) for k, v in (('bos_token', '<|startoftext|>'), ('eos_token', '<|endoftext|>'),
                                               ('unk_token', '<|endoftext|>'))}
    for v in special.values():
        del v['__type']
    special['pad_token'] = pad if pad == '<|endoftext|>' else {k: v for k, v in _added(pad).items() if k != '__type'}
    write_json(os.path.join(folder, 'special_tokens_map.json'), special)


SD_BETAS = {'beta_start': 0.00085, 'beta_end': 0.012, 'beta_schedule': 'scaled_linear',
            'num_train_timesteps': 1000, 'trained_betas': None}


def pndm_config():
    return {'_class_name': 'PNDMScheduler', '_diffusers_version': '0.6.0', **SD_BETAS,
            'clip_sample': False, 'set_alpha_to_one': False, 'skip_prk_steps': True, 'steps_offset': 1,
            'prediction_type': 'epsilon'}


def euler_config():
    return {'_class_name': 'EulerDiscreteScheduler', '_diffusers_version': '0.19.0.dev0', **SD_BETAS,
            'clip_sample': False, 'interpolation_type': 'linear', 'prediction_type': 'epsilon',
            'sample_max_value': 1.0, 'set_alpha_to_one': False, 'skip_prk_steps': True, 'steps_offset': 1,
            'timestep_spacing': 'leading', 'use_karras_sigmas': False}


def text_encoder_config(enc, projected=False):
    if hasattr(enc, 'config'):  # hfnets.CLIPTextModel: transformers' own config keys
        c = enc.config
        cfg = {'_name_or_path': 'atelier',
               'architectures': ['CLIPTextModelWithProjection' if projected else 'CLIPTextModel'],
               'model_type': 'clip_text_model', 'hidden_size': c['hidden_size'], 'intermediate_size': c['hidden_size'] * 4,
               'num_hidden_layers': c['num_hidden_layers'], 'num_attention_heads': c['num_attention_heads'],
               'max_position_embeddings': 77, 'vocab_size': c['vocab_size'], 'hidden_act': c['hidden_act'],
               'layer_norm_eps': 1e-5, 'bos_token_id': 49406, 'eos_token_id': 49407, 'pad_token_id': 1,
               'torch_dtype': 'float32'}
        if projected:
            cfg['projection_dim'] = c['projection_dim']
        return cfg
    dim = enc.tok.weight.shape[1]
    cfg = {'_name_or_path': 'atelier', 'architectures': ['CLIPTextModelWithProjection' if projected else 'CLIPTextModel'],
           'model_type': 'clip_text_model', 'hidden_size': dim, 'intermediate_size': dim * 4,
           'num_hidden_layers': len(enc.layers), 'num_attention_heads': enc.layers[0]['attn'].heads,
           'max_position_embeddings': 77, 'vocab_size': enc.tok.weight.shape[0], 'hidden_act': 'gelu',
           'layer_norm_eps': 1e-5, 'bos_token_id': 49406, 'eos_token_id': 49407, 'pad_token_id': 1,
           'torch_dtype': 'float32'}
    if projected:
        cfg['projection_dim'] = enc.proj.weight.shape[0]
    return cfg


def unet_config(unet, sample_size, ctx_dim, addition=None):
    if hasattr(unet, 'config'):  # hfnets.UNet2DConditionModel: diffusers' own config keys
        cfg = {'_class_name': 'UNet2DConditionModel', '_diffusers_version': '0.21.0', 'sample_size': sample_size,
               'act_fn': 'silu', 'flip_sin_to_cos': True, 'freq_shift': 0,
               **{k: list(v) if isinstance(v, tuple) else v for k, v in unet.config.items()}}
        cfg.update(addition or {})
        return cfg
    n = len(unet.channels)
    cfg = {'_class_name': 'UNet2DConditionModel', '_diffusers_version': '0.19.0',
           'in_channels': getattr(unet, 'in_ch', unet.conv_in.in_channels), 'out_channels': unet.conv_out.out_channels,
           'sample_size': sample_size, 'cross_attention_dim': ctx_dim,
           'block_out_channels': unet.channels, 'layers_per_block': len(unet.down[0]['res']),
           'down_block_types': ['CrossAttnDownBlock2D'] * n, 'up_block_types': ['CrossAttnUpBlock2D'] * n,
           'attention_head_dim': unet.channels[0], 'norm_num_groups': None, 'act_fn': 'silu'}
    if addition:
        cfg.update(addition)
    return cfg


def vae_config(scaling_factor, sample_size, enc, dec):
    return {'_class_name': 'AutoencoderKL', '_diffusers_version': '0.19.0', 'in_channels': 3, 'out_channels': 3,
            'latent_channels': dec.post_quant_conv.in_channels, 'sample_size': sample_size,
            'scaling_factor': scaling_factor, 'act_fn': 'silu',
            'block_out_channels': [enc.conv_in.out_channels]}


def export_text_encoder(enc, folder, hidden=False, projected=False):
    os.makedirs(folder, exist_ok=True)
    names = text_encoder_output_names(enc, hidden, projected)
    ids = torch.full((1, 77), 49407, dtype=torch.int32)
    ids[0, 0] = 49406
    # hfnets' CLIP exports itself (no wrapper module), so node names start at /text_model as in real exports.
    module = enc if hasattr(enc, 'text_model') else TextEncoderExport(enc, hidden, projected)
    export(module, (ids,), os.path.join(folder, 'model.onnx'), ['input_ids'],
           names, {'input_ids': {0: 'batch'}, **{n: {0: 'batch'} for n in names}})
    write_json(os.path.join(folder, 'config.json'), text_encoder_config(enc, projected))


def export_unet(unet, folder, ctx_dim, sample_size, timestep, external_data=False, sdxl=None, extra_cfg=None):
    """timestep: the dummy tensor whose dtype/shape become the ONNX input (e.g. float32 [1],
    int64 [1], float32 scalar). sdxl: (pooled_dim) adds text_embeds and time_ids inputs."""
    os.makedirs(folder, exist_ok=True)
    in_ch = getattr(unet, 'in_ch', unet.conv_in.in_channels)
    args = [torch.randn(1, in_ch, 8, 8), timestep, torch.randn(1, 77, ctx_dim)]
    names = ['sample', 'timestep', 'encoder_hidden_states']
    dyn = {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'encoder_hidden_states': {0: 'batch', 1: 'sequence'},
           'out_sample': {0: 'batch', 2: 'height', 3: 'width'}}
    if sdxl:
        args += [torch.randn(1, sdxl), torch.tensor([[128.0, 128, 0, 0, 128, 128]])]
        names += ['text_embeds', 'time_ids']
        dyn.update({'text_embeds': {0: 'batch'}, 'time_ids': {0: 'batch'}})
    export(unet, tuple(args), os.path.join(folder, 'model.onnx'), names, ['out_sample'], dyn,
           external_data=external_data)
    write_json(os.path.join(folder, 'config.json'), unet_config(unet, sample_size, ctx_dim, extra_cfg))


def export_vae(enc, dec, root, scaling_factor, sample_size, encoder_mode='mean'):
    dec_dir, enc_dir = os.path.join(root, 'vae_decoder'), os.path.join(root, 'vae_encoder')
    os.makedirs(dec_dir, exist_ok=True)
    os.makedirs(enc_dir, exist_ok=True)
    latent = dec.post_quant_conv.in_channels
    export(dec, (torch.randn(1, latent, 8, 8),), os.path.join(dec_dir, 'model.onnx'), ['latent_sample'], ['sample'],
           {'latent_sample': {0: 'batch', 2: 'height', 3: 'width'}, 'sample': {0: 'batch', 2: 'height', 3: 'width'}})
    out = 'latent_sample' if encoder_mode == 'mean' else 'latent_parameters'
    export(VAEEncoderExport(enc, encoder_mode), (torch.rand(1, 3, 64, 64) * 2 - 1,), os.path.join(enc_dir, 'model.onnx'),
           ['sample'], [out], {'sample': {0: 'batch', 2: 'height', 3: 'width'}, out: {0: 'batch', 2: 'height', 3: 'width'}})
    cfg = vae_config(scaling_factor, sample_size, enc, dec)
    write_json(os.path.join(dec_dir, 'config.json'), cfg)
    write_json(os.path.join(enc_dir, 'config.json'), cfg)


def sd15_model_index(extra=None):
    ort = ['diffusers', 'OnnxRuntimeModel']
    idx = {'_class_name': 'OnnxStableDiffusionPipeline', '_diffusers_version': '0.6.0',
           'feature_extractor': [None, None], 'safety_checker': [None, None], 'requires_safety_checker': False,
           'scheduler': ['diffusers', 'PNDMScheduler'], 'text_encoder': ort, 'tokenizer': ['transformers', 'CLIPTokenizer'],
           'unet': ort, 'vae_decoder': ort, 'vae_encoder': ort}
    if extra:
        idx.update(extra)
    return idx


def capture_exports(build):
    """Runs a recipe builder into a scratch folder with `export` replaced by a hook that keeps each
    module instead of writing ONNX, so every draw from torch's RNG (the dummy export inputs too)
    happens in the same order; returns {part folder name: module}. The reference pipeline and the
    ControlNet recipe rebuild the committed test models' networks this way."""
    import sys
    import tempfile
    captured = {}
    original = sys.modules[__name__].export

    def keep(module, args, path, *rest, **kw):
        module.eval()
        captured[os.path.basename(os.path.dirname(path))] = module

    sys.modules[__name__].export = keep
    try:
        with tempfile.TemporaryDirectory() as tmp:
            build(os.path.join(tmp, 'model'))
    finally:
        sys.modules[__name__].export = original
    return captured


def verify_initializers(module, onnx_file, label, min_matched=3):
    """Every ONNX initializer named like one of the module's weights must equal it (and at least
    `min_matched` must match): the committed file is what the recipe replay builds. Returns the count."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    model = onnx.load(onnx_file)
    state = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    matched = 0
    for init in model.graph.initializer:
        if init.name in state:
            value = numpy_helper.to_array(init)
            if value.shape != state[init.name].shape or not np.array_equal(value, state[init.name]):
                raise SystemExit(f'{label}: weight {init.name} differs from the recipe replay; '
                                 'rebuild the test models and the fixtures together')
            matched += 1
    if matched < min_matched:
        raise SystemExit(f'{label}: only {matched} initializers could be matched by name')
    return matched
