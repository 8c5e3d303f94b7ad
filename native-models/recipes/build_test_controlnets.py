"""Tiny ControlNets and ControlNet-capable UNets for the test models (issue 20), in the layouts the
ONNX ecosystem publishes (OnnxStack/Amuse):

  sd15-tiny/controlnet/model.onnx     the base's UNet again, taking the residuals as inputs, beside
  sdxl-tiny/controlnet/model.onnx     the plain UNet (where OnnxStack's base-model converter writes it)
  sd15-cn-tiny/                       a whole base folder whose unet/model.onnx declares the residuals
  controlnet-sd15-tiny/controlnet/    ControlNet: timestep float32 [1], conditioning_scale float32 scalar
  controlnet-sd15-tiny-b/model.onnx   ControlNet at the folder root: timestep float32 [batch],
                                      conditioning_scale float64 [1] (as OnnxStack feeds it)
  controlnet-sdxl-tiny/controlnet/    SDXL ControlNet (text_embeds, time_ids), float64 [1] scale

The UNets carry exactly the weights of the committed sd15-tiny / sdxl-tiny (the base recipe is
replayed and checked against the ONNX files); the ControlNets start from those UNets' encoders
(ControlNetModel.from_unet) with their own random embedding and residual convs. Deterministic.

  /usr/bin/python3 native-models/recipes/build_test_controlnets.py      # after build_test_models.py
"""
import argparse
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_test_models  # noqa: E402
import sdlayout  # noqa: E402
from hfcontrolnet import (ControlNetModel, residual_channels, residual_names, with_onnxstack_inputs,  # noqa: E402
                          with_residual_inputs)
from sdlayout import unet_config, write_json  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def base_modules(name, build):
    """The committed base model's networks, rebuilt by replaying its recipe; refuses if they differ."""
    modules = sdlayout.capture_exports(build)
    sdlayout.verify_initializers(modules['unet'], os.path.join(ROOT, 'test-models', name, 'unet', 'model.onnx'), name, 10)
    return modules


def latent_shapes(cfg, h, w):
    """[channels, h, w] of each down residual (resolution halves after each level but the last) and the mid."""
    shapes, level = [], 0
    ch = cfg['block_out_channels']
    shapes.append((ch[0], h, w))
    for i, c in enumerate(ch):
        for _ in range(cfg['layers_per_block']):
            shapes.append((c, h >> level, w >> level))
        if i < len(ch) - 1:
            level += 1
            shapes.append((c, h >> level, w >> level))
    return shapes, (ch[-1], h >> level, w >> level)


def export_residual_unet(unet, folder, ctx_dim, timestep, sdxl=None, external_data=False):
    """The UNet with OnnxStack's residual inputs (ControlNetUNet2DConditionModel)."""
    os.makedirs(folder, exist_ok=True)
    cfg = unet.config
    h = w = 8
    down, mid = latent_shapes(cfg, h, w)
    args = [torch.randn(1, unet.conv_in.in_channels, h, w), timestep, torch.randn(1, 77, ctx_dim)]
    names = ['sample', 'timestep', 'encoder_hidden_states']
    dyn = {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'encoder_hidden_states': {0: 'batch', 1: 'sequence'},
           'out_sample': {0: 'batch', 2: 'height', 3: 'width'}}
    if sdxl:
        args += [torch.randn(1, sdxl), torch.tensor([[128.0, 128, 0, 0, 128, 128]])]
        names += ['text_embeds', 'time_ids']
        dyn.update({'text_embeds': {0: 'batch'}, 'time_ids': {0: 'batch'}})
    res = residual_names(len(down))
    for name, (c, rh, rw) in zip(res, down + [mid]):
        args.append(torch.randn(1, c, rh, rw))
        names.append(name)
        dyn[name] = {0: 'batch', 2: f'{name}_height', 3: f'{name}_width'}
    sdlayout.export(with_residual_inputs(unet), tuple(args), os.path.join(folder, 'model.onnx'), names, ['out_sample'], dyn,
                 external_data)
    write_json(os.path.join(folder, 'config.json'), unet_config(unet, 64, ctx_dim))


def build_controlnet(unet, seed):
    torch.manual_seed(seed)
    net = ControlNetModel.from_unet(unet)
    # from_unet copied the encoder; give the copy its own small offsets so it is not the UNet's twin.
    with torch.no_grad():
        for name, p in net.named_parameters():
            if not name.startswith(('controlnet_cond_embedding', 'controlnet_down_blocks', 'controlnet_mid_block')):
                p.add_(torch.randn_like(p) * 0.02)
    return net.eval()


def export_controlnet(net, path, ctx_dim, timestep, scale, sdxl=None):
    """ControlNet with OnnxStack's inputs; `timestep` and `scale` are the dummies whose dtype/shape
    become the declared ones (float32 [1] or [batch]; float32 scalar or float64 [1])."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    h = w = 8
    cfg = net.config
    b = timestep.shape[0] if timestep.dim() == 1 else 1  # a [batch] timestep: dummies of that batch
    args = [torch.randn(b, 4, h, w), timestep, torch.randn(b, 77, ctx_dim)]
    names = ['sample', 'timestep', 'encoder_hidden_states']
    dyn = {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'encoder_hidden_states': {0: 'batch', 1: 'sequence'}}
    if timestep.dim() == 1 and timestep.shape[0] > 1:
        dyn['timestep'] = {0: 'batch'}
    if sdxl:
        args += [torch.randn(b, sdxl), torch.tensor([[128.0, 128, 0, 0, 128, 128]] * b)]
        names += ['text_embeds', 'time_ids']
        dyn.update({'text_embeds': {0: 'batch'}, 'time_ids': {0: 'batch'}})
    args += [torch.rand(b, 3, h * 8, w * 8), scale]
    names += ['controlnet_cond', 'conditioning_scale']
    dyn['controlnet_cond'] = {0: 'batch', 2: 'cond_height', 3: 'cond_width'}
    outs = residual_names(len(residual_channels(cfg)))
    for o in outs:
        dyn[o] = {0: 'batch', 2: f'{o}_height', 3: f'{o}_width'}
    sdlayout.export(with_onnxstack_inputs(net), tuple(args), path, names, outs, dyn)
    write_json(os.path.join(os.path.dirname(path), 'config.json'), {
        '_class_name': 'ControlNetModel', '_diffusers_version': '0.21.0', 'conditioning_channels': 3,
        'controlnet_conditioning_channel_order': 'rgb', 'act_fn': 'silu', 'flip_sin_to_cos': True, 'freq_shift': 0,
        **{k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()}})


def fresh(folder):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1234, help='the seed build_test_models.py used')
    ap.add_argument('--out', default=os.path.join(ROOT, 'test-models'))
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = a.out
    sd15 = base_modules('sd15-tiny', lambda d: build_test_models.build_sd15(d, a.seed))['unet']
    sdxl = base_modules('sdxl-tiny', lambda d: build_test_models.build_sdxl(d, a.seed + 2))['unet']
    ctx15, ctxxl, pooled = 16, 32, 16
    torch.manual_seed(a.seed + 100)

    # Layout (b): the residual UNet beside the plain one, same timestep declaration as the plain one.
    export_residual_unet(sd15, os.path.join(out, 'sd15-tiny', 'controlnet'), ctx15, torch.tensor([999.0]))
    export_residual_unet(sdxl, os.path.join(out, 'sdxl-tiny', 'controlnet'), ctxxl, torch.tensor(999.0), sdxl=pooled,
                         external_data=True)

    # Layout (a): a base folder whose unet/ is the residual UNet (the other parts are sd15-tiny's files).
    cn_base = os.path.join(out, 'sd15-cn-tiny')
    fresh(cn_base)
    src = os.path.join(out, 'sd15-tiny')
    for part in ('tokenizer', 'text_encoder', 'vae_decoder', 'vae_encoder', 'scheduler'):
        shutil.copytree(os.path.join(src, part), os.path.join(cn_base, part))
    shutil.copyfile(os.path.join(src, 'model_index.json'), os.path.join(cn_base, 'model_index.json'))
    torch.manual_seed(a.seed + 101)
    export_residual_unet(sd15, os.path.join(cn_base, 'unet'), ctx15, torch.tensor([999.0]))

    # ControlNets.
    cn_a = build_controlnet(sd15, a.seed + 200)
    fresh(os.path.join(out, 'controlnet-sd15-tiny'))
    export_controlnet(cn_a, os.path.join(out, 'controlnet-sd15-tiny', 'controlnet', 'model.onnx'), ctx15,
                      torch.tensor([999.0]), torch.tensor(1.0))
    cn_b = build_controlnet(sd15, a.seed + 300)
    fresh(os.path.join(out, 'controlnet-sd15-tiny-b'))
    export_controlnet(cn_b, os.path.join(out, 'controlnet-sd15-tiny-b', 'model.onnx'), ctx15,
                      torch.tensor([999.0, 999.0]), torch.tensor([1.0], dtype=torch.float64))
    cn_xl = build_controlnet(sdxl, a.seed + 400)
    fresh(os.path.join(out, 'controlnet-sdxl-tiny'))
    export_controlnet(cn_xl, os.path.join(out, 'controlnet-sdxl-tiny', 'controlnet', 'model.onnx'), ctxxl,
                      torch.tensor([999.0, 999.0]), torch.tensor([1.0], dtype=torch.float64), sdxl=pooled)
    print('done')


if __name__ == '__main__':
    main()
