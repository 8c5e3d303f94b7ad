"""Small LoRA files for the tiny test models, in the formats real trainers write, so the engine's
LoRA loader is tested on files shaped like real ones. Deterministic (numpy seed); no torch needed.

  /usr/bin/python3 native-models/recipes/build_test_loras.py      # -> native-models/test-loras/

Target modules are named as diffusers and CLIP name them, which the test models' ONNX node names
carry (build_test_models.py / hfnets.py):
- sd15-kohya.safetensors   kohya/A1111: lora_unet_… (attention linears, GEGLU, 1x1 proj_in, time_emb_proj
                           Gemm, 3x3 resnet conv = LoCon), lora_te_… (q_proj, fc1), alpha != rank, F32
- sd15-peft.safetensors    PEFT/diffusers: unet.….lora_A/lora_B.weight, text_encoder.…; no alpha (scale 1), F16
- sdxl-kohya.safetensors   kohya SDXL: the original UNet's names (input_blocks.4.1.…, middle_block.1.…,
                           output_blocks.…), lora_te1_ / lora_te2_
- sd15-fullsize.safetensors  the real SD 1.5's layer sizes: fits no weight of the tiny model
- sd15-loha.safetensors    LyCORIS LoHa (hada_w1_a …): a kind the engine names and refuses
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'test-loras')


def write_safetensors(path, tensors, metadata=None):
    """The format: u64 little-endian header length, JSON header, concatenated little-endian data."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr).tobytes()
        dtype = {np.dtype('float32'): 'F32', np.dtype('float16'): 'F16'}[arr.dtype]
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(',', ':')).encode()
    raw += b' ' * (-len(raw) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


class Maker:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def pair(self, out_dim, in_shape, rank, scale=0.3):
        """(down [rank, *in_shape], up [out, rank, (1, 1)]) with values big enough to move the image."""
        down = self.rng.standard_normal((rank, *in_shape)).astype(np.float32) * scale
        up_shape = (out_dim, rank, 1, 1) if len(in_shape) == 3 else (out_dim, rank)
        up = self.rng.standard_normal(up_shape).astype(np.float32) * scale
        return down, up


def kohya(tensors, name, pair, alpha):
    tensors[f'{name}.lora_down.weight'], tensors[f'{name}.lora_up.weight'] = pair
    if alpha is not None:
        tensors[f'{name}.alpha'] = np.array(alpha, dtype=np.float32)


def sd15_kohya(m):
    t = {}
    a = 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_'
    kohya(t, a + 'attn1_to_q', m.pair(16, (16,), 4), 2.0)
    kohya(t, a + 'attn1_to_v', m.pair(16, (16,), 4), 2.0)
    kohya(t, a + 'attn2_to_k', m.pair(16, (16,), 4), 2.0)  # cross-attention: in = text dim 16
    kohya(t, a + 'attn2_to_out_0', m.pair(16, (16,), 4), 2.0)
    kohya(t, a + 'ff_net_0_proj', m.pair(128, (16,), 4), 2.0)
    kohya(t, 'lora_unet_down_blocks_0_attentions_0_proj_in', m.pair(16, (16, 1, 1), 4), 4.0)  # 1x1 conv
    kohya(t, 'lora_unet_up_blocks_1_attentions_2_transformer_blocks_0_attn1_to_k', m.pair(16, (16,), 4), 4.0)
    kohya(t, 'lora_unet_mid_block_attentions_0_transformer_blocks_0_ff_net_2', m.pair(32, (128,), 4), 4.0)
    kohya(t, 'lora_unet_down_blocks_1_resnets_0_conv1', m.pair(32, (16, 3, 3), 4, 0.15), 4.0)  # LoCon 3x3
    kohya(t, 'lora_unet_up_blocks_0_resnets_1_time_emb_proj', m.pair(32, (64,), 4), 4.0)  # Gemm
    kohya(t, 'lora_te_text_model_encoder_layers_0_self_attn_q_proj', m.pair(16, (16,), 4), 4.0)
    kohya(t, 'lora_te_text_model_encoder_layers_1_mlp_fc1', m.pair(64, (16,), 4), 4.0)
    return t


def sd15_peft(m):
    t = {}
    for name, out_dim, in_dim in [
            ('unet.down_blocks.0.attentions.1.transformer_blocks.0.attn1.to_k', 16, 16),
            ('unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q', 16, 16),  # same as the kohya file
            ('unet.up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_v', 16, 16),
            ('unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0', 32, 32),
            ('text_encoder.text_model.encoder.layers.1.self_attn.v_proj', 16, 16),
            ('text_encoder.text_model.encoder.layers.0.mlp.fc2', 16, 64)]:
        down, up = m.pair(out_dim, (in_dim,), 2, 0.4)
        t[f'{name}.lora_A.weight'] = down.astype(np.float16)
        t[f'{name}.lora_B.weight'] = up.astype(np.float16)
    return t


def sdxl_kohya(m):
    t = {}
    # sdxl-tiny: block_out (16, 32), layers_per_block 2, level 0 without attention, level 1 with
    # 2 transformer layers. Original-UNet names: input_blocks 1-2 = level 0, 3 = its downsampler,
    # 4-5 = level 1 ([resnet, attention]); middle_block 0/1/2; output_blocks 0-2 = up level 0.
    kohya(t, 'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q', m.pair(32, (32,), 4), 2.0)
    kohya(t, 'lora_unet_input_blocks_5_1_transformer_blocks_1_attn2_to_k', m.pair(32, (32,), 4), 2.0)
    kohya(t, 'lora_unet_input_blocks_4_1_proj_in', m.pair(32, (32,), 4), 2.0)  # Linear in SDXL
    kohya(t, 'lora_unet_middle_block_1_transformer_blocks_0_ff_net_0_proj', m.pair(256, (32,), 4), 2.0)
    kohya(t, 'lora_unet_output_blocks_1_1_transformer_blocks_1_attn1_to_out_0', m.pair(32, (32,), 4), 2.0)
    kohya(t, 'lora_unet_output_blocks_3_0_in_layers_2', m.pair(16, (48, 3, 3), 4, 0.15), 4.0)  # up level 1 resnet 0 conv1
    kohya(t, 'lora_unet_output_blocks_2_2_conv', m.pair(32, (32, 3, 3), 4, 0.1), 4.0)  # up level 0 upsampler
    kohya(t, 'lora_te1_text_model_encoder_layers_0_self_attn_k_proj', m.pair(16, (16,), 4), 4.0)
    kohya(t, 'lora_te2_text_model_encoder_layers_1_mlp_fc2', m.pair(16, (64,), 4), 4.0)
    return t


def sd15_fullsize(m):
    """Rank-1 layers with the real SD 1.5's sizes (320 channels, 768-d text): a LoRA for the real
    model, which fits none of the tiny model's weights."""
    t = {}
    a = 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_'
    kohya(t, a + 'attn1_to_q', m.pair(320, (320,), 1), 1.0)
    kohya(t, a + 'attn2_to_k', m.pair(320, (768,), 1), 1.0)
    kohya(t, 'lora_unet_down_blocks_0_attentions_0_proj_in', m.pair(320, (320, 1, 1), 1), 1.0)
    kohya(t, 'lora_te_text_model_encoder_layers_0_self_attn_q_proj', m.pair(768, (768,), 1), 1.0)
    return t


def sd15_loha(m):
    t = {}
    name = 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q'
    for k in ('hada_w1_a', 'hada_w1_b', 'hada_w2_a', 'hada_w2_b'):
        t[f'{name}.{k}'] = m.rng.standard_normal((16, 4) if k.endswith('_a') else (4, 16)).astype(np.float32)
    t[f'{name}.alpha'] = np.array(4.0, dtype=np.float32)
    return t


def main():
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, 'sd15-kohya.safetensors'), sd15_kohya(Maker(1)),
                      {'ss_network_module': 'networks.lora', 'ss_base_model_version': 'sd_v1'})
    write_safetensors(os.path.join(OUT, 'sd15-peft.safetensors'), sd15_peft(Maker(2)))
    write_safetensors(os.path.join(OUT, 'sdxl-kohya.safetensors'), sdxl_kohya(Maker(3)),
                      {'ss_network_module': 'networks.lora', 'ss_base_model_version': 'sdxl_base_v1-0'})
    write_safetensors(os.path.join(OUT, 'sd15-fullsize.safetensors'), sd15_fullsize(Maker(5)))
    write_safetensors(os.path.join(OUT, 'sd15-loha.safetensors'), sd15_loha(Maker(4)),
                      {'ss_network_module': 'lycoris.kohya'})
    print('done')


if __name__ == '__main__':
    main()
