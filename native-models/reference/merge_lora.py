"""Merges LoRA files into a copy of a model folder on disk: the independent check of the engine's
in-memory merge (electron/core/engine/lora/), written from the formats' descriptions with numpy
and onnx only, sharing no code with it.

  /usr/bin/python3 native-models/reference/merge_lora.py MODEL_DIR OUT_DIR FILE:STRENGTH [FILE:STRENGTH ...]

W' = W + sum_i s_i * (alpha_i / rank_i) * up_i @ down_i, on the weight of the module the LoRA key
names. Modules are found from the ONNX node names torch writes (`/a/b.0/c/MatMul` is module
`a.b.0.c`); a MatMul keeps a Linear's weight as [in, out], a Gemm as its transB says, a Conv as is.
kohya's SDXL names (input_blocks / middle_block / output_blocks) are translated with the UNet's
config.json. Prints how many layers of each LoRA it applied."""
import json
import os
import shutil
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper

DT = {'F32': np.float32, 'F16': np.float16, 'BF16': None}


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        out[k] = np.frombuffer(data[a:b], dtype=DT[v['dtype']]).reshape(v['shape']).astype(np.float64)
    return out


def ldm_to_diffusers(cfg):
    """{kohya LDM module name: diffusers module path} for the UNet config's blocks."""
    L = cfg['layers_per_block']
    n = len(cfg['block_out_channels'])
    res = {'in_layers_0': 'norm1', 'in_layers_2': 'conv1', 'emb_layers_1': 'time_emb_proj',
           'out_layers_0': 'norm2', 'out_layers_3': 'conv2', 'skip_connection': 'conv_shortcut'}
    table = {'input_blocks_0_0': 'conv_in', 'time_embed_0': 'time_embedding.linear_1', 'time_embed_2': 'time_embedding.linear_2',
             'label_emb_0_0': 'add_embedding.linear_1', 'label_emb_0_2': 'add_embedding.linear_2', 'out_2': 'conv_out'}
    prefixes = {}
    for i in range(n):
        for j in range(L):
            prefixes[f'input_blocks_{1 + i * (L + 1) + j}_0_'] = f'down_blocks.{i}.resnets.{j}.'
            prefixes[f'input_blocks_{1 + i * (L + 1) + j}_1_'] = f'down_blocks.{i}.attentions.{j}.'
        if i < n - 1:
            table[f'input_blocks_{1 + i * (L + 1) + L}_0_op'] = f'down_blocks.{i}.downsamplers.0.conv'
        attn = cfg['up_block_types'][i].startswith('CrossAttn')
        for j in range(L + 1):
            prefixes[f'output_blocks_{i * (L + 1) + j}_0_'] = f'up_blocks.{i}.resnets.{j}.'
            prefixes[f'output_blocks_{i * (L + 1) + j}_1_'] = f'up_blocks.{i}.attentions.{j}.'
        if i < n - 1:
            table[f'output_blocks_{i * (L + 1) + L}_{2 if attn else 1}_conv'] = f'up_blocks.{i}.upsamplers.0.conv'
    prefixes.update({'middle_block_0_': 'mid_block.resnets.0.', 'middle_block_1_': 'mid_block.attentions.0.',
                     'middle_block_2_': 'mid_block.resnets.1.'})
    return table, prefixes, res


class Part:
    def __init__(self, path):
        self.path = path
        self.model = onnx.load(path)
        self.inits = {i.name: i for i in self.model.graph.initializer}
        casts = {n.output[0]: n.input[0] for n in self.model.graph.node if n.op_type == 'Cast'}
        self.modules = {}  # module path -> (initializer name, transposed)
        for node in self.model.graph.node:
            if node.op_type not in ('MatMul', 'Gemm', 'Conv') or len(node.input) < 2:
                continue
            w = node.input[1] if node.input[1] in self.inits else casts.get(node.input[1])
            if w not in self.inits:
                continue
            parts = node.name.strip('/').split('/')
            module = '.'.join(parts[:-1])
            trans_b = next((a.i for a in node.attribute if a.name == 'transB'), 0)
            transposed = node.op_type == 'MatMul' or (node.op_type == 'Gemm' and trans_b == 0)
            self.modules.setdefault(module, (w, transposed))
        self.flat = {m.replace('.', '_'): m for m in self.modules}
        self.changed = {}

    def apply(self, module, delta):
        name, transposed = self.modules[module]
        if name not in self.changed:
            self.changed[name] = numpy_helper.to_array(self.inits[name], base_dir=os.path.dirname(self.path)).astype(np.float64)
        w = self.changed[name]
        d = delta.T if transposed else delta.reshape(w.shape)
        assert d.shape == w.shape, (module, d.shape, w.shape)
        self.changed[name] = w + d

    def save(self):
        for name, w in self.changed.items():
            old = self.inits[name]
            dtype = np.float16 if old.data_type == onnx.TensorProto.FLOAT16 else np.float32
            new = numpy_helper.from_array(w.astype(dtype), name)
            old.ClearField('raw_data')
            old.ClearField('external_data')
            old.data_location = onnx.TensorProto.DEFAULT
            old.raw_data = new.raw_data
        external = os.path.exists(self.path + '_data')
        if external:
            os.remove(self.path + '_data')
            onnx.save_model(self.model, self.path, save_as_external_data=True, all_tensors_to_one_file=True,
                            location=os.path.basename(self.path) + '_data', size_threshold=0)
        else:
            onnx.save_model(self.model, self.path)


def main():
    src, dst, *specs = sys.argv[1:]
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    parts = {p: Part(os.path.join(dst, p, 'model.onnx')) for p in ('unet', 'text_encoder', 'text_encoder_2')
             if os.path.exists(os.path.join(dst, p, 'model.onnx'))}
    with open(os.path.join(dst, 'unet', 'config.json')) as f:
        table, prefixes, res = ldm_to_diffusers(json.load(f))
    for spec in specs:
        file, strength = spec.rsplit(':', 1)
        tensors = read_safetensors(file)
        applied = 0
        for key in tensors:
            if key.endswith('.lora_down.weight'):
                base, down, up = key[:-17], tensors[key], tensors[key[:-17] + '.lora_up.weight']
                alpha = tensors.get(base + '.alpha')
                prefix, flat = base.split('_', 2)[:2], base.split('_', 2)[2]
                part = {'unet': 'unet', 'te': 'text_encoder', 'te1': 'text_encoder', 'te2': 'text_encoder_2'}[prefix[1]]
                if part == 'unet' and flat not in parts['unet'].flat:
                    flat = table.get(flat) or next((d + res.get(flat[len(p):], flat[len(p):]) for p, d in prefixes.items()
                                                    if flat.startswith(p)), flat)
                    flat = flat.replace('.', '_')
                module = parts[part].flat[flat]
            elif key.endswith('.lora_A.weight'):
                base, down, up = key[:-14], tensors[key], tensors[key[:-14] + '.lora_B.weight']
                alpha = tensors.get(base + '.alpha')
                part, module = base.split('.', 1)
            else:
                continue
            rank = down.shape[0]
            scale = float(strength) * (float(alpha) / rank if alpha is not None else 1.0)
            delta = up.reshape(up.shape[0], rank) @ down.reshape(rank, -1) * scale
            parts[part].apply(module, delta)
            applied += 1
        print(f'{os.path.basename(file)}: {applied} layers at strength {strength}')
    for p in parts.values():
        p.save()


if __name__ == '__main__':
    main()
