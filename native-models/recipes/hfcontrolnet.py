"""diffusers' ControlNetModel in miniature, beside hfnets' UNet, with diffusers' module names
(`controlnet_cond_embedding.blocks.N`, `controlnet_down_blocks.N`, `controlnet_mid_block`; diffusers
`models/controlnet.py`, v0.14 for SD 1.x, the text_time addition embedding as later versions add it
for SDXL), and the UNet variant that takes the residuals as named inputs, as OnnxStack's
`ControlNetUNet2DConditionModel` exports it (`down_block_N_additional_residual`,
`mid_block_additional_residual`).

Written here (diffusers is not packaged by Debian); the structure follows the published one so the
ONNX exports have real exports' inputs, outputs and node names. Test models keep the "zero" convs
random: zero-initialised ones would make every residual exactly 0 and test nothing."""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from hfnets import DownBlock, TimestepEmbedding, UNet2DConditionModel, UNetMidBlock2DCrossAttn, unet_levels
from sdnet import timestep_embedding


class ControlNetConditioningEmbedding(nn.Module):
    """The control image (N×3×H×W, 0..1) down to latent size: conv_in, pairs of convs (the second of each
    with stride 2), conv_out to the UNet's first block width."""

    def __init__(self, embedding_channels, block_out_channels=(8, 8, 16, 16), conditioning_channels=3):
        super().__init__()
        self.conv_in = nn.Conv2d(conditioning_channels, block_out_channels[0], 3, padding=1)
        self.blocks = nn.ModuleList()
        for i in range(len(block_out_channels) - 1):
            cin, cout = block_out_channels[i], block_out_channels[i + 1]
            self.blocks.append(nn.Conv2d(cin, cin, 3, padding=1))
            self.blocks.append(nn.Conv2d(cin, cout, 3, padding=1, stride=2))
        self.conv_out = nn.Conv2d(block_out_channels[-1], embedding_channels, 3, padding=1)

    def forward(self, cond):
        h = F.silu(self.conv_in(cond))
        for block in self.blocks:
            h = F.silu(block(h))
        return self.conv_out(h)


def residual_channels(cfg):
    """Channels of each down-block residual: conv_in's output, then per level `layers` resnets and
    (except the last level) its downsampler — the order of the UNet's skip connections."""
    ch = cfg['block_out_channels']
    out = [ch[0]]
    for i, c in enumerate(ch):
        out += [c] * cfg['layers_per_block'] + ([c] if i < len(ch) - 1 else [])
    return out


class ControlNetModel(nn.Module):
    """The UNet's encoder half (conv_in, time and addition embeddings, down blocks, mid block) plus the
    control image's embedding added after conv_in and a 1×1 conv per residual. forward returns the
    residuals already multiplied by conditioning_scale, as diffusers' ControlNetModel does."""

    def __init__(self, **cfg):
        super().__init__()
        self.config = cfg
        ch, n, heads, tfl, groups, linear, ctx, L, temb = unet_levels(cfg)
        self.conv_in = nn.Conv2d(cfg['in_channels'], ch[0], 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch[0], temb)
        self.text_time = cfg.get('addition_embed_type') == 'text_time'
        if self.text_time:
            self.add_embedding = TimestepEmbedding(cfg['projection_class_embeddings_input_dim'], temb)
        self.controlnet_cond_embedding = ControlNetConditioningEmbedding(
            ch[0], tuple(cfg.get('conditioning_embedding_out_channels', (8, 8, 16, 16))))
        self.down_blocks = nn.ModuleList()
        cur = ch[0]
        for i, kind in enumerate(cfg['down_block_types']):
            self.down_blocks.append(DownBlock(cur, ch[i], temb, L, kind.startswith('CrossAttn'), ctx, heads[i], tfl[i],
                                              groups, linear, i < n - 1))
            cur = ch[i]
        self.controlnet_down_blocks = nn.ModuleList([nn.Conv2d(c, c, 1) for c in residual_channels(cfg)])
        self.mid_block = UNetMidBlock2DCrossAttn(cur, temb, ctx, heads[-1], tfl[-1], groups, linear)
        self.controlnet_mid_block = nn.Conv2d(cur, cur, 1)

    @classmethod
    def from_unet(cls, unet, conditioning_embedding_out_channels=(8, 8, 16, 16)):
        """As diffusers' ControlNetModel.from_unet: the UNet's config, and its encoder's weights copied."""
        keep = ('in_channels', 'block_out_channels', 'down_block_types', 'layers_per_block', 'cross_attention_dim',
                'attention_head_dim', 'transformer_layers_per_block', 'norm_num_groups', 'use_linear_projection',
                'addition_embed_type', 'addition_time_embed_dim', 'projection_class_embeddings_input_dim')
        cfg = {k: v for k, v in unet.config.items() if k in keep}
        cfg['in_channels'] = 4  # a ControlNet sees the 4 latent channels, also beside a 9-channel inpaint UNet
        net = cls(**cfg, conditioning_embedding_out_channels=conditioning_embedding_out_channels)
        for name in ('time_embedding', 'down_blocks', 'mid_block') + (('add_embedding',) if net.text_time else ()):
            getattr(net, name).load_state_dict(getattr(unet, name).state_dict())
        if unet.conv_in.in_channels == 4:
            net.conv_in.load_state_dict(unet.conv_in.state_dict())
        return net

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale,
                text_embeds=None, time_ids=None):
        t = timestep.float().reshape(-1) + torch.zeros_like(sample[:, 0, 0, 0])
        emb = self.time_embedding(timestep_embedding(t, self.conv_in.out_channels))
        if self.text_time:
            tid = timestep_embedding(time_ids.float().reshape(-1), self.config['addition_time_embed_dim'])
            emb = emb + self.add_embedding(torch.cat([text_embeds, tid.reshape(time_ids.shape[0], -1)], dim=-1))
        h = self.conv_in(sample) + self.controlnet_cond_embedding(controlnet_cond)
        skips = [h]
        for blk in self.down_blocks:
            h, more = blk(h, emb, encoder_hidden_states)
            skips += more
        h = self.mid_block(h, emb, encoder_hidden_states)
        scale = conditioning_scale.float().reshape(-1)[0] if torch.is_tensor(conditioning_scale) else conditioning_scale
        down = [conv(s) * scale for conv, s in zip(self.controlnet_down_blocks, skips)]
        return tuple(down) + (self.controlnet_mid_block(h) * scale,)


class ControlNetOnnxStack(ControlNetModel):
    """ControlNetModel with OnnxStack's positional inputs (its PatchedControlNetModel): SD 1.x (sample,
    timestep, encoder_hidden_states, controlnet_cond, conditioning_scale); SDXL puts text_embeds and
    time_ids before controlnet_cond. Exported as itself, so names carry no wrapper prefix."""

    def forward(self, sample, timestep, encoder_hidden_states, *rest):
        if self.text_time:
            text_embeds, time_ids, cond, scale = rest
            return ControlNetModel.forward(self, sample, timestep, encoder_hidden_states, cond, scale, text_embeds, time_ids)
        cond, scale = rest
        return ControlNetModel.forward(self, sample, timestep, encoder_hidden_states, cond, scale)


def with_onnxstack_inputs(net):
    """The same ControlNet (shared weights) with OnnxStack's input order, for export."""
    out = copy.copy(net)
    out.__class__ = ControlNetOnnxStack
    return out


class ControlNetUNet2DConditionModel(UNet2DConditionModel):
    """The UNet taking the ControlNet residuals as extra inputs (after SDXL's text_embeds and time_ids):
    each down residual is added to its skip connection, the mid residual to the mid block's output."""

    def forward(self, sample, timestep, encoder_hidden_states, *rest):
        text_embeds = time_ids = None
        if self.text_time:
            text_embeds, time_ids, rest = rest[0], rest[1], rest[2:]
        down, mid = rest[:-1], rest[-1]
        t = timestep.float().reshape(-1) + torch.zeros_like(sample[:, 0, 0, 0])
        emb = self.time_embedding(timestep_embedding(t, self.conv_in.out_channels))
        if self.text_time:
            tid = timestep_embedding(time_ids.float().reshape(-1), self.config['addition_time_embed_dim'])
            emb = emb + self.add_embedding(torch.cat([text_embeds, tid.reshape(time_ids.shape[0], -1)], dim=-1))
        ctx = encoder_hidden_states
        h = self.conv_in(sample)
        skips = [h]
        for blk in self.down_blocks:
            h, more = blk(h, emb, ctx)
            skips += more
        skips = [s + r for s, r in zip(skips, down)]
        h = self.mid_block(h, emb, ctx) + mid
        for blk in self.up_blocks:
            h = blk(h, skips, emb, ctx)
        return self.conv_out(self.conv_act(self.conv_norm_out(h)))


def with_residual_inputs(unet):
    """The same UNet (shared weights, same module names) exporting the residual inputs."""
    out = copy.copy(unet)
    out.__class__ = ControlNetUNet2DConditionModel
    return out


def residual_names(count):
    return [f'down_block_{i}_additional_residual' for i in range(count)] + ['mid_block_additional_residual']
