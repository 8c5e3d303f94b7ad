"""diffusers' ControlNetModel for sdnet's UNet (the demo model's network), as hfcontrolnet.py is for hfnets':
a copy of the UNet's encoder half (time/context embeddings, conv_in with its coordinate channels, down
blocks, mid block), the control image's embedding (hfcontrolnet's ControlNetConditioningEmbedding, diffusers'
`controlnet_cond_embedding`) added after conv_in, and one zero-initialised 1×1 conv per skip connection
(`controlnet_down_blocks.N`) and for the mid block (`controlnet_mid_block`). ResidualUNet is the same UNet
taking those residuals as the named inputs OnnxStack's ControlNetUNet2DConditionModel declares."""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from hfcontrolnet import ControlNetConditioningEmbedding
from sdnet import TransformerBlock, UNet, timestep_embedding


def skip_channels(unet):
    """Channels of the UNet's skip connections in the order it collects them (conv_in, then per level each
    resnet and the downsampler)."""
    out = [unet.channels[0]]
    for blk in unet.down:
        out += [res.conv2.out_channels for res in blk['res']]
        if 'down' in blk:
            out.append(blk['down'].conv.out_channels)
    return out


def _embed(unet, sample, timestep, ctx):
    """sdnet.UNet.forward up to conv_in's input: the time (+ pooled text) embedding and the coordinate channels."""
    t = timestep.float().reshape(-1) + torch.zeros_like(sample[:, 0, 0, 0])
    temb = unet.time_mlp(timestep_embedding(t, unet.tproj_dim))
    if unet.ctx_mlp is not None:
        temb = temb + unet.ctx_mlp(ctx.mean(dim=1))
    if unet.coords:
        ones = torch.ones_like(sample[:, :1])
        xs = (ones.cumsum(3) - 0.5) / ones.sum(3, keepdim=True) * 2 - 1
        ys = (ones.cumsum(2) - 0.5) / ones.sum(2, keepdim=True) * 2 - 1
        sample = torch.cat([sample, xs, ys], dim=1)
    return temb, sample


def _encode(unet, h, temb, ctx):
    skips = [h]
    for blk in unet.down:
        for res, at in zip(blk['res'], blk['attn']):
            h = res(h, temb)
            h = at(h, ctx) if isinstance(at, TransformerBlock) else h
            skips.append(h)
        if 'down' in blk:
            h = blk['down'](h)
            skips.append(h)
    h = unet.mid_res2(unet.mid_attn(unet.mid_res1(h, temb), ctx), temb)
    return skips, h


class ShapesControlNet(nn.Module):
    """forward(sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale) -> the down
    residuals and the mid one, already scaled (as diffusers' ControlNetModel returns them)."""

    def __init__(self, unet: UNet, embedding_channels=(4, 8, 16, 32)):
        super().__init__()
        self.unet = copy.deepcopy(unet)  # from_unet: the encoder starts as the base's
        self.unet.up = nn.ModuleList()  # the decoder half is not part of a ControlNet
        self.unet.norm_out = self.unet.conv_out = None
        self.controlnet_cond_embedding_channels = tuple(embedding_channels)
        self.controlnet_cond_embedding = ControlNetConditioningEmbedding(unet.channels[0], embedding_channels)
        self.controlnet_down_blocks = nn.ModuleList([nn.Conv2d(c, c, 1) for c in skip_channels(unet)])
        mid = unet.channels[-1]
        self.controlnet_mid_block = nn.Conv2d(mid, mid, 1)
        for conv in list(self.controlnet_down_blocks) + [self.controlnet_mid_block, self.controlnet_cond_embedding.conv_out]:
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale):
        u = self.unet
        temb, x = _embed(u, sample, timestep, encoder_hidden_states)
        h = u.conv_in(x) + self.controlnet_cond_embedding(controlnet_cond)
        skips, mid = _encode(u, h, temb, encoder_hidden_states)
        scale = conditioning_scale.float().reshape(-1)[0] if torch.is_tensor(conditioning_scale) else conditioning_scale
        down = [conv(s) * scale for conv, s in zip(self.controlnet_down_blocks, skips)]
        return tuple(down) + (self.controlnet_mid_block(mid) * scale,)


class ResidualUNet(nn.Module):
    """The base UNet (shared weights) with the residual inputs: each down residual joins its skip
    connection, the mid one the mid block's output."""

    def __init__(self, unet: UNet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states, *residuals):
        u, ctx = self.unet, encoder_hidden_states
        temb, x = _embed(u, sample, timestep, ctx)
        skips, h = _encode(u, u.conv_in(x), temb, ctx)
        skips = [s + r for s, r in zip(skips, residuals[:-1])]
        h = h + residuals[-1]
        for blk in u.up:
            for res, at in zip(blk['res'], blk['attn']):
                h = res(torch.cat([h, skips.pop()], dim=1), temb)
                h = at(h, ctx) if isinstance(at, TransformerBlock) else h
            if 'up' in blk:
                h = blk['up'](h)
        return u.conv_out(F.silu(u.norm_out(h)))
