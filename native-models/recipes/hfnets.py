"""diffusers' UNet2DConditionModel and transformers' CLIPTextModel(WithProjection) in miniature, with
their module names and structure (diffusers v0.21 `unet_2d_condition.py`, `unet_2d_blocks.py`,
`transformer_2d.py`, `attention.py`, `resnet.py`; transformers `modeling_clip.py`), so that a torch
ONNX export names its nodes as real exports do (`/down_blocks.0/attentions.0/transformer_blocks.0/
attn1/to_q/MatMul`, `/text_model/encoder/layers.0/self_attn/q_proj/MatMul`) and a LoRA written for a
real model maps onto these test models exactly as onto a real one.

Written here (not imported from diffusers/transformers, which Debian does not package); the
configs follow the published SD 1.5 and SDXL ones, scaled down. Only what SD's configs use is built:
GroupNorm/SiLU ResNets, Transformer2DModel (conv or linear proj_in), BasicTransformerBlock with GEGLU,
nearest upsampling, SDXL's text_time addition embedding."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from sdnet import timestep_embedding


# ---------------------------------------------------------------- diffusers UNet2DConditionModel
class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, temb, groups, eps=1e-5):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Attention(nn.Module):
    def __init__(self, dim, ctx_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(ctx_dim or dim, dim, bias=False)
        self.to_v = nn.Linear(ctx_dim or dim, dim, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim), nn.Dropout(0.0)])

    def forward(self, x, ctx=None):
        ctx = x if ctx is None else ctx
        b, n, d = x.shape
        h = self.heads
        q = self.to_q(x).reshape(b, n, h, d // h).transpose(1, 2)
        k = self.to_k(ctx).reshape(b, -1, h, d // h).transpose(1, 2)
        v = self.to_v(ctx).reshape(b, -1, h, d // h).transpose(1, 2)
        w = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d // h))
        o = torch.matmul(w.softmax(dim=-1), v).transpose(1, 2).reshape(b, n, d)
        return self.to_out[1](self.to_out[0](o))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        a, gate = self.proj(x).chunk(2, dim=-1)
        return a * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * mult), nn.Dropout(0.0), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, ctx_dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, None, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, ctx_dim, heads)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x, ctx):
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), ctx)
        return x + self.ff(self.norm3(x))


class Transformer2DModel(nn.Module):
    """use_linear_projection False (SD 1.x): 1x1 Conv proj_in/proj_out; True (SD 2.x, SDXL): Linear."""

    def __init__(self, ch, ctx_dim, heads, layers, groups, linear):
        super().__init__()
        self.linear = linear
        self.norm = nn.GroupNorm(groups, ch, eps=1e-6)
        self.proj_in = nn.Linear(ch, ch) if linear else nn.Conv2d(ch, ch, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(ch, ctx_dim, heads) for _ in range(layers)])
        self.proj_out = nn.Linear(ch, ch) if linear else nn.Conv2d(ch, ch, 1)

    def forward(self, x, ctx):
        b, c, hh, ww = x.shape
        h = self.norm(x)
        if self.linear:
            h = self.proj_in(h.reshape(b, c, -1).transpose(1, 2))
        else:
            h = self.proj_in(h).reshape(b, c, -1).transpose(1, 2)
        for blk in self.transformer_blocks:
            h = blk(h, ctx)
        if self.linear:
            h = self.proj_out(h).transpose(1, 2).reshape(b, c, hh, ww)
        else:
            h = self.proj_out(h.transpose(1, 2).reshape(b, c, hh, ww))
        return h + x


class Downsample2D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode='nearest'))


class TimestepEmbedding(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.linear_1 = nn.Linear(cin, dim)
        self.act = nn.SiLU()
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x):
        return self.linear_2(self.act(self.linear_1(x)))


class DownBlock(nn.Module):
    """CrossAttnDownBlock2D (with attentions) or DownBlock2D (without)."""

    def __init__(self, cin, cout, temb, layers, cross, ctx_dim, heads, tf_layers, groups, linear, add_down):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if j == 0 else cout, cout, temb, groups) for j in range(layers)])
        if cross:
            self.attentions = nn.ModuleList([Transformer2DModel(cout, ctx_dim, heads, tf_layers, groups, linear)
                                             for _ in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(cout)]) if add_down else None

    def forward(self, h, emb, ctx):
        # Each block is called as a module (not just iterated) so the exporter's scopes, and so the
        # node names, carry its path (`/down_blocks.0/resnets.0/conv1/Conv`).
        skips = []
        for j, res in enumerate(self.resnets):
            h = res(h, emb)
            if hasattr(self, 'attentions'):
                h = self.attentions[j](h, ctx)
            skips.append(h)
        if self.downsamplers is not None:
            h = self.downsamplers[0](h)
            skips.append(h)
        return h, skips


class UpBlock(nn.Module):
    """CrossAttnUpBlock2D or UpBlock2D: layers + 1 resnets, each fed one skip."""

    def __init__(self, res_in, cout, temb, cross, ctx_dim, heads, tf_layers, groups, linear, add_up):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(c, cout, temb, groups) for c in res_in])
        if cross:
            self.attentions = nn.ModuleList([Transformer2DModel(cout, ctx_dim, heads, tf_layers, groups, linear)
                                             for _ in res_in])
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if add_up else None

    def forward(self, h, skips, emb, ctx):
        for j, res in enumerate(self.resnets):
            h = res(torch.cat([h, skips.pop()], dim=1), emb)
            if hasattr(self, 'attentions'):
                h = self.attentions[j](h, ctx)
        if self.upsamplers is not None:
            h = self.upsamplers[0](h)
        return h


class UNetMidBlock2DCrossAttn(nn.Module):
    def __init__(self, ch, temb, ctx_dim, heads, tf_layers, groups, linear):
        super().__init__()
        self.attentions = nn.ModuleList([Transformer2DModel(ch, ctx_dim, heads, tf_layers, groups, linear)])
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch, temb, groups), ResnetBlock2D(ch, ch, temb, groups)])

    def forward(self, h, emb, ctx):
        return self.resnets[1](self.attentions[0](self.resnets[0](h, emb), ctx), emb)


def unet_levels(cfg):
    """A UNet config's per-level settings, lists expanded (heads and transformer layers may be one number):
    (block_out_channels, levels, heads, transformer layers, norm groups, linear projection, context width,
    layers per block, time-embedding width). The ControlNet (hfcontrolnet.py) reads the same."""
    ch = cfg['block_out_channels']
    n = len(ch)
    heads = cfg['attention_head_dim']
    heads = heads if isinstance(heads, (list, tuple)) else [heads] * n
    tfl = cfg.get('transformer_layers_per_block', 1)
    tfl = tfl if isinstance(tfl, (list, tuple)) else [tfl] * n
    return (ch, n, heads, tfl, cfg['norm_num_groups'], cfg['use_linear_projection'], cfg['cross_attention_dim'],
            cfg['layers_per_block'], ch[0] * 4)


class UNet2DConditionModel(nn.Module):
    """config: in_channels, out_channels, block_out_channels, down_block_types, up_block_types,
    layers_per_block, cross_attention_dim, attention_head_dim (heads, as SD's configs use it),
    transformer_layers_per_block, norm_num_groups, use_linear_projection; SDXL adds
    addition_embed_type 'text_time', addition_time_embed_dim, projection_class_embeddings_input_dim."""

    def __init__(self, **cfg):
        super().__init__()
        self.config = cfg
        ch, n, heads, tfl, groups, linear, ctx, L, temb = unet_levels(cfg)
        self.conv_in = nn.Conv2d(cfg['in_channels'], ch[0], 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch[0], temb)
        self.text_time = cfg.get('addition_embed_type') == 'text_time'
        if self.text_time:
            self.add_embedding = TimestepEmbedding(cfg['projection_class_embeddings_input_dim'], temb)
        self.down_blocks = nn.ModuleList()
        skips = [ch[0]]
        cur = ch[0]
        for i, kind in enumerate(cfg['down_block_types']):
            last = i == n - 1
            self.down_blocks.append(DownBlock(cur, ch[i], temb, L, kind.startswith('CrossAttn'), ctx, heads[i], tfl[i],
                                              groups, linear, not last))
            cur = ch[i]
            skips += [cur] * L + ([] if last else [cur])
        self.mid_block = UNetMidBlock2DCrossAttn(cur, temb, ctx, heads[-1], tfl[-1], groups, linear)
        self.up_blocks = nn.ModuleList()
        rev_heads, rev_tfl = list(reversed(heads)), list(reversed(tfl))
        for i, kind in enumerate(cfg['up_block_types']):
            out = ch[n - 1 - i]
            res_in = []
            for j in range(L + 1):
                res_in.append((cur if j == 0 else out) + skips.pop())
            self.up_blocks.append(UpBlock(res_in, out, temb, kind.startswith('CrossAttn'), ctx, rev_heads[i], rev_tfl[i],
                                          groups, linear, i < n - 1))
            cur = out
        self.conv_norm_out = nn.GroupNorm(groups, cur, eps=1e-5)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(cur, cfg['out_channels'], 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds=None, time_ids=None):
        # Any timestep shape ([], [1], [b]) and dtype broadcasts to [b], as diffusers does.
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
        h = self.mid_block(h, emb, ctx)
        for blk in self.up_blocks:
            h = blk(h, skips, emb, ctx)
        return self.conv_out(self.conv_act(self.conv_norm_out(h)))


# ---------------------------------------------------------------- transformers CLIPTextModel
class CLIPAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.q_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x, mask):
        b, n, d = x.shape
        h = self.heads
        q = (self.q_proj(x) * (d // h) ** -0.5).reshape(b, n, h, d // h).transpose(1, 2)
        k = self.k_proj(x).reshape(b, n, h, d // h).transpose(1, 2)
        v = self.v_proj(x).reshape(b, n, h, d // h).transpose(1, 2)
        w = torch.matmul(q, k.transpose(-1, -2)) + mask
        return self.out_proj(torch.matmul(w.softmax(dim=-1), v).transpose(1, 2).reshape(b, n, d))


class CLIPMLP(nn.Module):
    def __init__(self, dim, inner, act):
        super().__init__()
        self.act = act
        self.fc1 = nn.Linear(dim, inner)
        self.fc2 = nn.Linear(inner, dim)

    def forward(self, x):
        x = self.fc1(x)
        x = x * torch.sigmoid(1.702 * x) if self.act == 'quick_gelu' else F.gelu(x)
        return self.fc2(x)


class CLIPEncoderLayer(nn.Module):
    def __init__(self, dim, heads, act):
        super().__init__()
        self.self_attn = CLIPAttention(dim, heads)
        self.layer_norm1 = nn.LayerNorm(dim)
        self.mlp = CLIPMLP(dim, dim * 4, act)
        self.layer_norm2 = nn.LayerNorm(dim)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, dim, vocab, max_len):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, dim)
        self.position_embedding = nn.Embedding(max_len, dim)
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.position_embedding.weight, std=0.01)

    def forward(self, ids, fp16_table):
        w = self.token_embedding.weight
        n = ids.shape[1]
        return F.embedding(ids, w.half() if fp16_table else w).float() + self.position_embedding.weight[None, :n]


class CLIPEncoder(nn.Module):
    def __init__(self, dim, layers, heads, act):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(dim, heads, act) for _ in range(layers)])

    def forward(self, h, mask):
        hidden = [h]
        for layer in self.layers:
            h = layer(h, mask)
            hidden.append(h)
        return hidden


class CLIPTextTransformer(nn.Module):
    def __init__(self, dim, layers, heads, act, vocab, max_len):
        super().__init__()
        self.embeddings = CLIPTextEmbeddings(dim, vocab, max_len)
        self.encoder = CLIPEncoder(dim, layers, heads, act)
        self.final_layer_norm = nn.LayerNorm(dim)

    def forward(self, ids, mask, fp16_table):
        hidden = self.encoder(self.embeddings(ids, fp16_table), mask)
        last = self.final_layer_norm(hidden[-1])
        # eos has the highest id in CLIP's vocab, so argmax finds it (as transformers does).
        eos = ids.float().argmax(dim=-1)
        pooled = last.gather(1, eos[:, None, None].expand(-1, 1, last.shape[-1])).squeeze(1)
        return last, pooled, hidden


class CLIPTextModel(nn.Module):
    """CLIPTextModel, or CLIPTextModelWithProjection with projection_dim. `encode(ids)` gives
    (last_hidden_state, pooled, hidden_states); `forward` gives the export's outputs in optimum's
    order (see sdnet.text_encoder_output_names): with hidden=True (SDXL encoder 1) the hidden states
    follow; projected (SDXL encoder 2) puts text_embeds first. The module itself is exported (no
    wrapper), so node and weight names start at `text_model`, as in real exports.
    fp16_embedding stores the 49408-row table as float16 (Gather + Cast, as fp16 exports do),
    halving the file that dominates a tiny model's size."""

    def __init__(self, dim=32, layers=1, heads=1, act='quick_gelu', vocab=49408, max_len=77, projection_dim=None,
                 fp16_embedding=False, hidden=False):
        super().__init__()
        self.fp16_embedding, self.hidden, self.max_len = fp16_embedding, hidden, max_len
        self.config = {'hidden_size': dim, 'num_hidden_layers': layers, 'num_attention_heads': heads,
                       'hidden_act': act, 'vocab_size': vocab, 'projection_dim': projection_dim}
        self.text_model = CLIPTextTransformer(dim, layers, heads, act, vocab, max_len)
        self.text_projection = nn.Linear(dim, projection_dim, bias=False) if projection_dim else None
        self.register_buffer('causal', torch.triu(torch.full((max_len, max_len), -1e9), diagonal=1), persistent=False)

    @property
    def enc(self):
        # the reference pipeline reads `.enc` of an exported text encoder
        return self

    @property
    def layers(self):
        return self.text_model.encoder.layers

    def encode(self, input_ids):
        return self.text_model(input_ids.long(), self.causal, self.fp16_embedding)

    def project(self, pooled):
        return self.text_projection(pooled)

    def forward(self, input_ids):
        last, pooled, hidden = self.encode(input_ids)
        outs = [self.project(pooled), last] if self.text_projection is not None else [last, pooled]
        if self.hidden or self.text_projection is not None:
            outs += hidden
        return tuple(outs)
