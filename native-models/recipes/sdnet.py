"""Small Stable-Diffusion-family networks (UNet, CLIP-style text encoder, VAE) that export to
ONNX with the same inputs/outputs as diffusers/optimum exports. Used by the test-model recipe
(random weights) and by the demo-model trainer (trained weights), so both exercise the very
graph structure the engine meets in real models: GroupNorm/SiLU ResNets with time projection,
transformer blocks with self- and cross-attention and GEGLU, skip connections, resampling."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def groups_for(ch):
    # GroupNorm needs ch % groups == 0; real SD uses 32 groups on wide channels.
    for g in (32, 16, 8, 4, 2, 1):
        if ch % g == 0 and ch // g >= 2:
            return g
    return 1


def timestep_embedding(t, dim, max_period=10000.0):
    """Sinusoidal embedding as diffusers' get_timestep_embedding (flip_sin_to_cos=True, shift 0).
    t: float tensor [N] -> [N, dim]."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb_dim=None):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups_for(cin), cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb_dim, cout) if temb_dim else None
        self.norm2 = nn.GroupNorm(groups_for(cout), cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.temb is not None:
            h = h + self.temb(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class Attention(nn.Module):
    """Multi-head attention written with MatMul/Softmax so it exports on any opset."""

    def __init__(self, dim, ctx_dim=None, heads=1):
        super().__init__()
        ctx_dim = ctx_dim or dim
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(ctx_dim, dim, bias=False)
        self.v = nn.Linear(ctx_dim, dim, bias=False)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, ctx=None, mask=None):
        ctx = x if ctx is None else ctx
        b, n, d = x.shape
        h = self.heads
        q = self.q(x).reshape(b, n, h, d // h).transpose(1, 2)
        k = self.k(ctx).reshape(b, -1, h, d // h).transpose(1, 2)
        v = self.v(ctx).reshape(b, -1, h, d // h).transpose(1, 2)
        w = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d // h))
        if mask is not None:
            w = w + mask
        o = torch.matmul(w.softmax(dim=-1), v)
        return self.out(o.transpose(1, 2).reshape(b, n, d))


class GEGLU(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.proj = nn.Linear(dim, dim * mult * 2)
        self.out = nn.Linear(dim * mult, dim)

    def forward(self, x):
        a, gate = self.proj(x).chunk(2, dim=-1)
        return self.out(a * F.gelu(gate))


class TransformerBlock(nn.Module):
    """SD's Transformer2DModel with one BasicTransformerBlock per layer."""

    def __init__(self, ch, ctx_dim, heads=1, layers=1):
        super().__init__()
        self.norm = nn.GroupNorm(groups_for(ch), ch, eps=1e-6)
        self.proj_in = nn.Linear(ch, ch)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(
                n1=nn.LayerNorm(ch), attn1=Attention(ch, None, heads),
                n2=nn.LayerNorm(ch), attn2=Attention(ch, ctx_dim, heads),
                n3=nn.LayerNorm(ch), ff=GEGLU(ch))))
        self.proj_out = nn.Linear(ch, ch)

    def forward(self, x, ctx):
        b, c, hh, ww = x.shape
        h = self.norm(x).reshape(b, c, -1).transpose(1, 2)
        h = self.proj_in(h)
        for L in self.layers:
            h = h + L['attn1'](L['n1'](h))
            h = h + L['attn2'](L['n2'](h), ctx)
            h = h + L['ff'](L['n3'](h))
        h = self.proj_out(h).transpose(1, 2).reshape(b, c, hh, ww)
        return x + h


class Downsample(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode='nearest'))


class UNet(nn.Module):
    """UNet2DConditionModel in miniature. channels[i] per level; attn[i] says whether level i
    has transformer blocks. With add_embed (SDXL), text_embeds [b,P] and time_ids [b,6] are
    embedded and added to the time embedding, as SDXL's add_embedding does."""

    def __init__(self, in_ch=4, out_ch=4, channels=(32, 64), attn=(True, True), ctx_dim=32,
                 layers_per_block=1, heads=1, tf_layers=1, add_embed_dim=None, time_id_dim=8, pool_ctx=False,
                 coords=False):
        super().__init__()
        # coords: x/y coordinate channels join the input (CoordConv): a UNet this shallow cannot
        # otherwise tell left from right, and the demo's prompts name places.
        self.in_ch, self.coords = in_ch, coords
        self.channels = list(channels)
        temb_dim = channels[0] * 4
        self.tproj_dim = channels[0]
        self.time_mlp = nn.Sequential(nn.Linear(channels[0], temb_dim), nn.SiLU(), nn.Linear(temb_dim, temb_dim))
        self.add_embed_dim = add_embed_dim
        self.time_id_dim = time_id_dim
        if add_embed_dim:
            self.add_mlp = nn.Sequential(nn.Linear(add_embed_dim + 6 * time_id_dim, temb_dim), nn.SiLU(),
                                         nn.Linear(temb_dim, temb_dim))
        # pool_ctx: the mean of the text states (padding positions see the whole prompt through
        # causal attention) joins the time embedding, a global path besides cross-attention.
        self.ctx_mlp = nn.Sequential(nn.Linear(ctx_dim, temb_dim), nn.SiLU(), nn.Linear(temb_dim, temb_dim)) if pool_ctx else None
        self.conv_in = nn.Conv2d(in_ch + (2 if coords else 0), channels[0], 3, padding=1)
        self.down = nn.ModuleList()
        skip_ch = [channels[0]]
        cur = channels[0]
        for i, ch in enumerate(channels):
            blk = nn.ModuleDict(dict(res=nn.ModuleList(), attn=nn.ModuleList()))
            for _ in range(layers_per_block):
                blk['res'].append(ResBlock(cur, ch, temb_dim))
                blk['attn'].append(TransformerBlock(ch, ctx_dim, heads, tf_layers) if attn[i] else nn.Identity())
                cur = ch
                skip_ch.append(cur)
            if i < len(channels) - 1:
                blk['down'] = Downsample(cur)
                skip_ch.append(cur)
            self.down.append(blk)
        self.mid_res1 = ResBlock(cur, cur, temb_dim)
        self.mid_attn = TransformerBlock(cur, ctx_dim, heads, tf_layers)
        self.mid_res2 = ResBlock(cur, cur, temb_dim)
        self.up = nn.ModuleList()
        for i, ch in reversed(list(enumerate(channels))):
            blk = nn.ModuleDict(dict(res=nn.ModuleList(), attn=nn.ModuleList()))
            for _ in range(layers_per_block + 1):
                blk['res'].append(ResBlock(cur + skip_ch.pop(), ch, temb_dim))
                blk['attn'].append(TransformerBlock(ch, ctx_dim, heads, tf_layers) if attn[i] else nn.Identity())
                cur = ch
            if i > 0:
                blk['up'] = Upsample(cur)
            self.up.append(blk)
        self.norm_out = nn.GroupNorm(groups_for(cur), cur, eps=1e-5)
        self.conv_out = nn.Conv2d(cur, out_ch, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds=None, time_ids=None):
        temb, x = self.embed(sample, timestep, encoder_hidden_states, text_embeds, time_ids)
        skips, h = self.encode(self.conv_in(x), temb, encoder_hidden_states)
        return self.decode(h, skips, temb, encoder_hidden_states)

    # The three halves of forward, apart so a ControlNet (sdcontrolnet.py) can run the encoder and add residuals.
    def embed(self, sample, timestep, ctx, text_embeds=None, time_ids=None):
        """The time (+ SDXL addition, + pooled text) embedding, and the input with its coordinate channels."""
        # Any timestep shape ([], [1], [b]) and dtype broadcasts to [b], as diffusers does.
        t = timestep.float().reshape(-1) + torch.zeros_like(sample[:, 0, 0, 0])
        temb = self.time_mlp(timestep_embedding(t, self.tproj_dim))
        if self.add_embed_dim:
            tid = timestep_embedding(time_ids.float().reshape(-1), self.time_id_dim).reshape(time_ids.shape[0], -1)
            temb = temb + self.add_mlp(torch.cat([text_embeds, tid], dim=-1))
        if self.ctx_mlp is not None:
            temb = temb + self.ctx_mlp(ctx.mean(dim=1))
        if self.coords:
            # built from tensor ops only, so any exported height/width works
            ones = torch.ones_like(sample[:, :1])
            xs = (ones.cumsum(3) - 0.5) / ones.sum(3, keepdim=True) * 2 - 1
            ys = (ones.cumsum(2) - 0.5) / ones.sum(2, keepdim=True) * 2 - 1
            sample = torch.cat([sample, xs, ys], dim=1)
        return temb, sample

    def encode(self, h, temb, ctx):
        """conv_in's output through the down blocks and the mid block: (skip connections, mid output)."""
        skips = [h]
        for blk in self.down:
            for res, at in zip(blk['res'], blk['attn']):
                h = res(h, temb)
                h = at(h, ctx) if isinstance(at, TransformerBlock) else h
                skips.append(h)
            if 'down' in blk:
                h = blk['down'](h)
                skips.append(h)
        return skips, self.mid_res2(self.mid_attn(self.mid_res1(h, temb), ctx), temb)

    def decode(self, h, skips, temb, ctx):
        skips = list(skips)
        for blk in self.up:
            for res, at in zip(blk['res'], blk['attn']):
                h = res(torch.cat([h, skips.pop()], dim=1), temb)
                h = at(h, ctx) if isinstance(at, TransformerBlock) else h
            if 'up' in blk:
                h = blk['up'](h)
        return self.conv_out(F.silu(self.norm_out(h)))


class TextEncoder(nn.Module):
    """CLIPTextModel(WithProjection) in miniature: token + position embeddings, pre-LN causal
    transformer layers, final LayerNorm, pooled output at the eos position (argmax of ids)."""

    def __init__(self, dim=32, layers=1, heads=1, vocab=49408, max_len=77, proj_dim=None, fp16_embedding=False):
        super().__init__()
        # fp16_embedding stores the 49408-row table as float16 (Gather + Cast, as fp16 exports
        # do), halving the file that dominates a tiny model's size.
        self.fp16_embedding = fp16_embedding
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(max_len, dim)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.01)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(
                n1=nn.LayerNorm(dim), attn=Attention(dim, None, heads), n2=nn.LayerNorm(dim),
                mlp=nn.Sequential(nn.Linear(dim, dim * 4), nn.GELU(), nn.Linear(dim * 4, dim)))))
        self.final_norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, proj_dim, bias=False) if proj_dim else None
        self.register_buffer('causal', torch.triu(torch.full((max_len, max_len), -1e9), diagonal=1), persistent=False)
        self.max_len = max_len

    def forward(self, input_ids):
        ids = input_ids.long()
        w = self.tok.weight.half() if self.fp16_embedding else self.tok.weight
        h = F.embedding(ids, w).float() + self.pos.weight[None, :self.max_len]
        hidden = [h]
        for L in self.layers:
            h = h + L['attn'](L['n1'](h), mask=self.causal)
            h = h + L['mlp'](L['n2'](h))
            hidden.append(h)
        last = self.final_norm(h)
        # eos has the highest id in CLIP's vocab, so argmax finds it (as transformers does).
        eos = ids.float().argmax(dim=-1)
        idx = eos[:, None, None].expand(-1, 1, last.shape[-1])
        pooled = last.gather(1, idx).squeeze(1)
        return last, pooled, hidden

    def project(self, pooled):
        return self.proj(pooled)


class VAEEncoder(nn.Module):
    """Encoder + quant_conv; returns the 8-channel moments (mean ‖ logvar)."""

    def __init__(self, channels=(32, 64, 64), latent=4, mid_attn=True, colour_skip=False):
        super().__init__()
        # colour_skip: a 1x1 conv of the 8x8-averaged image joins the moments, so a tiny VAE
        # carries colour from its first step and its conv stack only learns edges.
        self.colour_skip = nn.Conv2d(3, 2 * latent, 1) if colour_skip else None
        self.conv_in = nn.Conv2d(3, channels[0], 3, padding=1)
        blocks = []
        cur = channels[0]
        for i, ch in enumerate(channels):
            blocks.append(ResBlock(cur, ch))
            blocks.append(Downsample(ch))
            cur = ch
        # three downsamples -> 8x
        self.blocks = nn.ModuleList(blocks)
        self.mid1 = ResBlock(cur, cur)
        self.mid_attn = SpatialAttention(cur) if mid_attn else None
        self.mid2 = ResBlock(cur, cur)
        self.norm = nn.GroupNorm(groups_for(cur), cur, eps=1e-6)
        self.conv_out = nn.Conv2d(cur, 2 * latent, 3, padding=1)
        self.quant_conv = nn.Conv2d(2 * latent, 2 * latent, 1)

    def forward(self, x):
        h = self.conv_in(x)
        for b in self.blocks:
            h = b(h)
        h = self.mid1(h)
        if self.mid_attn is not None:
            h = self.mid_attn(h)
        h = self.mid2(h)
        m = self.quant_conv(self.conv_out(F.silu(self.norm(h))))
        if self.colour_skip is not None:
            m = m + self.colour_skip(F.avg_pool2d(x, 8))
        return m


class VAEDecoder(nn.Module):
    """post_quant_conv + Decoder; latents (already divided by scaling_factor) -> [-1,1] pixels."""

    def __init__(self, channels=(64, 64, 32), latent=4, mid_attn=True, colour_skip=False):
        super().__init__()
        # colour_skip: the latents, 1x1-convolved to RGB and upsampled bilinearly, are added to the output.
        self.colour_skip = nn.Conv2d(latent, 3, 1) if colour_skip else None
        self.post_quant_conv = nn.Conv2d(latent, latent, 1)
        cur = channels[0]
        self.conv_in = nn.Conv2d(latent, cur, 3, padding=1)
        self.mid1 = ResBlock(cur, cur)
        self.mid_attn = SpatialAttention(cur) if mid_attn else None
        self.mid2 = ResBlock(cur, cur)
        blocks = []
        for ch in channels:
            blocks.append(ResBlock(cur, ch))
            blocks.append(Upsample(ch))
            cur = ch
        self.blocks = nn.ModuleList(blocks)
        self.norm = nn.GroupNorm(groups_for(cur), cur, eps=1e-6)
        self.conv_out = nn.Conv2d(cur, 3, 3, padding=1)

    def forward(self, z):
        h = self.conv_in(self.post_quant_conv(z))
        h = self.mid1(h)
        if self.mid_attn is not None:
            h = self.mid_attn(h)
        h = self.mid2(h)
        for b in self.blocks:
            h = b(h)
        out = self.conv_out(F.silu(self.norm(h)))
        if self.colour_skip is not None:
            out = out + F.interpolate(self.colour_skip(z), scale_factor=8.0, mode='bilinear', align_corners=False)
        return out


class SpatialAttention(nn.Module):
    """The VAE's mid-block single-head self-attention over all positions."""

    def __init__(self, ch):
        super().__init__()
        self.norm = nn.GroupNorm(groups_for(ch), ch, eps=1e-6)
        self.attn = Attention(ch, None, 1)

    def forward(self, x):
        b, c, hh, ww = x.shape
        h = self.norm(x).reshape(b, c, -1).transpose(1, 2)
        h = self.attn(h).transpose(1, 2).reshape(b, c, hh, ww)
        return x + h


# ---------- export wrappers with the diffusers/optimum input and output names ----------

class TextEncoderExport(nn.Module):
    """SD1.x: last_hidden_state, pooler_output. With hidden=True also hidden_states.0..N (SDXL
    encoder 1). With projected=True (SDXL encoder 2): text_embeds first, as optimum orders it."""

    def __init__(self, enc, hidden=False, projected=False):
        super().__init__()
        self.enc, self.hidden, self.projected = enc, hidden, projected

    def forward(self, input_ids):
        last, pooled, hidden = self.enc(input_ids)
        outs = [self.enc.project(pooled), last] if self.projected else [last, pooled]
        if self.hidden or self.projected:
            outs += hidden
        return tuple(outs)


def text_encoder_output_names(enc, hidden=False, projected=False):
    names = ['text_embeds', 'last_hidden_state'] if projected else ['last_hidden_state', 'pooler_output']
    if hidden or projected:
        names += [f'hidden_states.{i}' for i in range(len(enc.layers) + 1)]
    return names


class VAEEncoderExport(nn.Module):
    """mode 'mean': latent_sample = mean (deterministic, older optimum); 'params': latent_parameters."""

    def __init__(self, enc, mode='mean'):
        super().__init__()
        self.enc, self.mode = enc, mode

    def forward(self, sample):
        m = self.enc(sample)
        if self.mode == 'mean':
            return m[:, : m.shape[1] // 2]
        return m


def export(module, args, path, input_names, output_names, dynamic_axes, external_data=False, opset=17):
    """Export with torch.onnx, then check; optionally move weights to model.onnx_data."""
    import os
    import onnx
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True)
    model = onnx.load(path)
    if external_data:
        data_name = os.path.basename(path) + '_data'
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name, size_threshold=0)
        onnx.checker.check_model(path)
    else:
        onnx.checker.check_model(model)
