"""Convert an UpscalerJS ESRGAN package (TF.js layers model: model.json + weight shards) to an ONNX
upscaler folder the engine reads (model.onnx, NCHW float RGB, plus upscaler.json with scale and range).

  npm pack @upscalerjs/esrgan-thick          # MIT, real trained weights; unpack it anywhere (not in the project)
  tar xzf upscalerjs-esrgan-thick-1.0.0.tgz
  /usr/bin/python3 native-models/recipes/convert_upscalerjs.py --package package --scale 4 --out DIR [--fp16]
      [--check]   also upscale the package's own fixture (assets/fixture.png) with the rebuilt net and compare
                  with the package's published sample of the same (assets/samples/{scale}x/result.png, TF.js)

The Keras graph in model.json is rebuilt layer by layer as a torch module (Conv2D 'same' or 1×1, ReLU,
Concatenate, Add, UpscalerJS's custom MultiplyBeta (×0.2) and PixelShuffleNx (tf.depthToSpace, NHWC:
channel (i·s + j)·C + c goes to sub-pixel (i, j) — ONNX DepthToSpace "DCR", not torch's pixel_shuffle),
UpSampling2D nearest), then exported with dynamic height and width. The value range comes from the
package's own model definition: RRDN ("thick") takes and returns [0, 1], RDN ("slim", "medium") [0, 255].
--fp16 writes float16 weights, input and output (the engine feeds float16 when the model declares it).
"""
import argparse
import glob
import json
import os
import re

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def load_tfjs(model_json):
    with open(model_json) as f:
        m = json.load(f)
    layers = m['modelTopology']['model_config']['config']['layers']
    folder = os.path.dirname(model_json)
    weights = {}
    for group in m['weightsManifest']:
        blob = b''.join(open(os.path.join(folder, p), 'rb').read() for p in group['paths'])
        offset = 0
        for w in group['weights']:
            if w['dtype'] != 'float32' or 'quantization' in w:
                raise SystemExit(f"{w['name']}: only unquantised float32 weights are supported")
            n = int(np.prod(w['shape'])) if w['shape'] else 1
            weights[w['name']] = np.frombuffer(blob, dtype='<f4', count=n, offset=offset).reshape(w['shape'])
            offset += n * 4
        if offset != len(blob):
            raise SystemExit(f'weight shards hold {len(blob)} bytes, the manifest names {offset}')
    return layers, weights


def architecture(package, scale):
    """'rrdn' or 'rdn' from the package's model definition (src/x{scale}/index.js names the file)."""
    for f in glob.glob(os.path.join(package, 'dist', 'esm', 'models', '*', 'src', f'x{scale}', 'index.js')):
        m = re.search(r"'(rr?dn)-", open(f).read())
        if m:
            return m.group(1)
    raise SystemExit(f'cannot tell the architecture of {package} x{scale} (no dist/esm/models/*/src/x{scale}/index.js)')


class KerasGraph(nn.Module):
    def __init__(self, layers, weights):
        super().__init__()
        self.plan = []
        self.convs = nn.ModuleDict()
        for layer in layers:
            kind, cfg = layer['class_name'], layer['config']
            name = cfg['name']
            inputs = [n[0] for n in layer['inbound_nodes'][0]] if layer['inbound_nodes'] else []
            if kind == 'Conv2D':
                k = cfg['kernel_size']
                # 'valid' on a 1×1 kernel is the same as 'same'.
                if (cfg['padding'] != 'same' and k != [1, 1]) or cfg['strides'] != [1, 1] or k[0] % 2 == 0 or k[1] % 2 == 0 or cfg['activation'] != 'linear':
                    raise SystemExit(f'{name}: unsupported Conv2D settings {cfg}')
                kernel = weights[f'{name}/kernel']  # [kh, kw, in, out]
                conv = nn.Conv2d(kernel.shape[2], kernel.shape[3], (k[0], k[1]), padding=(k[0] // 2, k[1] // 2), bias=cfg['use_bias'])
                conv.weight.data = torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1)))
                if cfg['use_bias']:
                    conv.bias.data = torch.from_numpy(weights[f'{name}/bias'].copy())
                self.convs[self._key(name)] = conv
            elif kind == 'Activation' and cfg['activation'] != 'relu':
                raise SystemExit(f"{name}: activation {cfg['activation']} is not supported")
            elif kind == 'UpSampling2D' and cfg.get('interpolation', 'nearest') != 'nearest':
                raise SystemExit(f"{name}: UpSampling2D {cfg.get('interpolation')} is not supported")
            elif kind == 'Concatenate' and cfg.get('axis', -1) not in (-1, 3):
                raise SystemExit(f"{name}: Concatenate on axis {cfg.get('axis')} is not supported")
            elif kind not in ('InputLayer', 'Conv2D', 'Activation', 'Concatenate', 'Add', 'MultiplyBeta', 'UpSampling2D') and not kind.startswith('PixelShuffle'):
                raise SystemExit(f'{name}: layer {kind} is not supported')
            self.plan.append((kind, name, inputs, cfg))
        self.output = layers[-1]['config']['name']

    @staticmethod
    def _key(name):
        return name.replace('.', '_')

    def forward(self, x):
        values = {}
        for kind, name, inputs, cfg in self.plan:
            a = [values[i] for i in inputs]
            if kind == 'InputLayer':
                y = x
            elif kind == 'Conv2D':
                y = self.convs[self._key(name)](a[0])
            elif kind == 'Activation':
                y = F.relu(a[0])
            elif kind == 'Concatenate':
                y = torch.cat(a, dim=1)
            elif kind == 'Add':
                y = a[0]
                for b in a[1:]:
                    y = y + b
            elif kind == 'MultiplyBeta':
                y = a[0] * 0.2
            elif kind == 'UpSampling2D':
                y = F.interpolate(a[0], scale_factor=tuple(float(s) for s in cfg['size']), mode='nearest')
            else:  # PixelShuffleNx: tf.depthToSpace(x, s, 'NHWC'), i.e. DCR order
                s = int(re.search(r'(\d+)x$', kind).group(1))
                n, c, h, w = a[0].shape
                y = a[0].reshape(n, s, s, c // (s * s), h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, c // (s * s), h * s, w * s)
            values[name] = y
        return values[self.output]


def upscale(net, rgb, lo, hi):
    """HWC uint8 → HWC uint8 through the torch module (the reference the ONNX export is checked against)."""
    x = torch.from_numpy(rgb.astype(np.float32).transpose(2, 0, 1)[None] / 255.0 * (hi - lo) + lo)
    with torch.no_grad():
        y = net(x)[0].numpy()
    return np.clip(np.round((y - lo) / (hi - lo) * 255.0), 0, 255).astype(np.uint8).transpose(1, 2, 0)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float('inf') if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--package', required=True, help='the unpacked npm package (the folder holding models/ and dist/)')
    ap.add_argument('--scale', type=int, default=4)
    ap.add_argument('--out', required=True)
    ap.add_argument('--fp16', action='store_true')
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args()

    pkg = json.load(open(os.path.join(args.package, 'package.json')))
    arch = architecture(args.package, args.scale)
    lo, hi = (0.0, 1.0) if arch == 'rrdn' else (0.0, 255.0)
    layers, weights = load_tfjs(os.path.join(args.package, 'models', f'x{args.scale}', 'model.json'))
    net = KerasGraph(layers, weights).eval()
    params = sum(p.numel() for p in net.parameters())

    os.makedirs(args.out, exist_ok=True)
    onnx_file = os.path.join(args.out, 'model.onnx')
    export = net.half() if args.fp16 else net
    dtype = torch.float16 if args.fp16 else torch.float32
    torch.onnx.export(export, torch.zeros(1, 3, 32, 32, dtype=dtype), onnx_file, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {2: 'height', 3: 'width'}, 'output': {2: 'out_height', 3: 'out_width'}}, opset_version=17)
    meta = {
        'type': 'atelier-upscaler', 'version': 1, 'scale': args.scale, 'range': [lo, hi],
        'label': f"{pkg['name']} {pkg['version']} x{args.scale} ({arch.upper()}, {pkg.get('license', '?')}){' fp16' if args.fp16 else ''}",
        'source': {'npm': f"{pkg['name']}@{pkg['version']}", 'license': pkg.get('license'), 'architecture': arch, 'parameters': params},
    }
    with open(os.path.join(args.out, 'upscaler.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f"{pkg['name']} x{args.scale}: {arch}, {params / 1e6:.2f} M parameters, range [{lo:g}, {hi:g}] -> {onnx_file} ({os.path.getsize(onnx_file) / 1e6:.1f} MB)")

    if args.check:
        from PIL import Image
        fixture = np.asarray(Image.open(os.path.join(args.package, 'assets', 'fixture.png')).convert('RGB'))
        sample = os.path.join(args.package, 'assets', 'samples', f'{args.scale}x', 'result.png')
        ours = upscale(net.float(), fixture, lo, hi)
        Image.fromarray(ours).save(os.path.join(args.out, 'fixture-upscaled.png'))
        if os.path.exists(sample):
            ref = np.asarray(Image.open(sample).convert('RGB'))
            diff = np.abs(ours.astype(int) - ref.astype(int))
            print(f"rebuilt net vs the package's published TF.js output ({os.path.relpath(sample, args.package)}): "
                  f'PSNR {psnr(ours, ref):.2f} dB, mean |difference| {diff.mean():.3f}, max {int(diff.max())} levels')
        else:
            print(f'no published sample at {sample}; wrote fixture-upscaled.png')

if __name__ == '__main__':
    main()
