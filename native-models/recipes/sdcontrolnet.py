"""diffusers' ControlNetModel for sdnet's UNet (the demo model's network), as hfcontrolnet.py is for hfnets':
a copy of the UNet's encoder half (time/context embeddings, conv_in with its coordinate channels, down
blocks, mid block), the control image's embedding (hfcontrolnet's ControlNetConditioningEmbedding, diffusers'
`controlnet_cond_embedding`) added after conv_in, and one zero-initialised 1×1 conv per skip connection
(`controlnet_down_blocks.N`) and for the mid block (`controlnet_mid_block`). ResidualUNet is the same UNet
taking those residuals as the named inputs OnnxStack's ControlNetUNet2DConditionModel declares."""
import copy

import torch
import torch.nn as nn

from hfcontrolnet import ControlNetConditioningEmbedding
from sdnet import UNet


def skip_channels(unet):
    """Channels of the UNet's skip connections in the order it collects them (conv_in, then per level each
    resnet and the downsampler)."""
    out = [unet.channels[0]]
    for blk in unet.down:
        out += [res.conv2.out_channels for res in blk['res']]
        if 'down' in blk:
            out.append(blk['down'].conv.out_channels)
    return out


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
        temb, x = u.embed(sample, timestep, encoder_hidden_states)
        skips, mid = u.encode(u.conv_in(x) + self.controlnet_cond_embedding(controlnet_cond), temb, encoder_hidden_states)
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
        temb, x = u.embed(sample, timestep, ctx)
        skips, h = u.encode(u.conv_in(x), temb, ctx)
        skips = [s + r for s, r in zip(skips, residuals[:-1])]
        return u.decode(h + residuals[-1], skips, temb, ctx)
