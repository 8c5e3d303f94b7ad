"""Build the tiny ONNX super-resolution models the upscale tests run (numpy + onnx only, no torch).

  /usr/bin/python3 native-models/recipes/build_test_upscalers.py [--out DIR]

Three models, each a different way an upscaler tells its scale and value range:
  upscale-linear-x4        fixed linear: per-sub-pixel bilinear weights on a 3x3 neighbourhood, then
                           DepthToSpace(4). Dynamic H/W, symbolic output dims, so the engine learns the
                           scale from a probe run. Receptive field radius 1 px: tiling it with any
                           overlap of 4 px or more must reproduce the untiled output exactly.
  upscale-shuffle-x2       pixel-shuffle conv net (conv 3x3 -> ReLU -> conv 3x3 -> DepthToSpace(2)) plus a
                           nearest-neighbour skip, seeded random weights; receptive field radius 2 px.
                           Dynamic H/W, values in [-1, 1] (upscaler.json), scale by a probe run.
  upscale-shuffle-x2-fixed the same net taking float16 [1, 3, 64, 64] in [-1, 1] and returning float16
                           [1, 3, 128, 128]: scale from the declared shapes, range from upscaler.json.
Deterministic: the same script gives byte-identical files.
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def save(model, folder, meta=None):
    os.makedirs(folder, exist_ok=True)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(folder, 'model.onnx'))
    if meta is not None:
        with open(os.path.join(folder, 'upscaler.json'), 'w') as f:
            json.dump(meta, f, indent=2)
            f.write('\n')


def bilinear_weights(scale):
    """Conv weights [3*s*s, 3, 3, 3]: output channel c*s*s + dy*s + dx is the bilinear sample at
    sub-pixel (dy, dx) of colour c, taken from the 3x3 neighbourhood (align_corners=False)."""
    w = np.zeros((3 * scale * scale, 3, 3, 3), dtype=np.float32)
    for c in range(3):
        for dy in range(scale):
            for dx in range(scale):
                oc = c * scale * scale + dy * scale + dx
                fy = (dy + 0.5) / scale - 0.5  # offset from the centre pixel, in (-0.5, 0.5)
                fx = (dx + 0.5) / scale - 0.5
                for ky, ty in ((1 + int(np.floor(fy)), 1 - (fy - np.floor(fy))), (2 + int(np.floor(fy)), fy - np.floor(fy))):
                    for kx, tx in ((1 + int(np.floor(fx)), 1 - (fx - np.floor(fx))), (2 + int(np.floor(fx)), fx - np.floor(fx))):
                        w[oc, c, ky, kx] += ty * tx
    return w


def linear_x4():
    s = 4
    w = numpy_helper.from_array(bilinear_weights(s), 'w')
    nodes = [
        helper.make_node('Conv', ['input', 'w'], ['features'], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node('DepthToSpace', ['features'], ['output'], blocksize=s, mode='CRD'),
    ]
    graph = helper.make_graph(
        nodes, 'upscale_linear_x4',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, 'height', 'width'])],
        [helper.make_tensor_value_info('output', TensorProto.FLOAT, [1, 3, 'out_height', 'out_width'])],
        [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='atelier-recipes')


def shuffle_x2(rng, fixed=None, fp16=False):
    s, hidden = 2, 16
    w1 = (rng.standard_normal((hidden, 3, 3, 3)) * 0.2).astype(np.float32)
    b1 = np.zeros(hidden, dtype=np.float32)
    w2 = (rng.standard_normal((3 * s * s, hidden, 3, 3)) * 0.05).astype(np.float32)
    b2 = np.zeros(3 * s * s, dtype=np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in ((w1, 'w1'), (b1, 'b1'), (w2, 'w2'), (b2, 'b2'))]
    inits.append(numpy_helper.from_array(np.array([1, 1, s, s], dtype=np.float32), 'nearest'))
    src = 'x'
    nodes = []
    if fp16:
        nodes.append(helper.make_node('Cast', ['input'], ['x'], to=TensorProto.FLOAT))
    else:
        src = 'input'
    nodes += [
        helper.make_node('Conv', [src, 'w1', 'b1'], ['h1'], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node('Relu', ['h1'], ['h2']),
        helper.make_node('Conv', ['h2', 'w2', 'b2'], ['h3'], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node('DepthToSpace', ['h3'], ['detail'], blocksize=s, mode='CRD'),
        helper.make_node('Resize', [src, '', 'nearest'], ['base'], mode='nearest'),
        helper.make_node('Add', ['base', 'detail'], ['y']),
    ]
    if fp16:
        nodes.append(helper.make_node('Cast', ['y'], ['output'], to=TensorProto.FLOAT16))
    else:
        nodes[-1] = helper.make_node('Add', ['base', 'detail'], ['output'])
    dtype = TensorProto.FLOAT16 if fp16 else TensorProto.FLOAT
    in_shape = [1, 3, fixed, fixed] if fixed else [1, 3, 'height', 'width']
    out_shape = [1, 3, fixed * s, fixed * s] if fixed else [1, 3, 'out_height', 'out_width']
    graph = helper.make_graph(
        nodes, 'upscale_shuffle_x2',
        [helper.make_tensor_value_info('input', dtype, in_shape)],
        [helper.make_tensor_value_info('output', dtype, out_shape)],
        inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='atelier-recipes')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(ROOT, 'test-models'))
    args = ap.parse_args()
    # upscaler.json marks a folder as an upscaler; this one declares nothing else (scale by probe, range [0, 1]).
    save(linear_x4(), os.path.join(args.out, 'upscale-linear-x4'), {'type': 'atelier-upscaler', 'version': 1})
    range_meta = {'type': 'atelier-upscaler', 'version': 1, 'range': [-1, 1]}
    save(shuffle_x2(np.random.default_rng(16)), os.path.join(args.out, 'upscale-shuffle-x2'), range_meta)
    save(shuffle_x2(np.random.default_rng(16), fixed=64, fp16=True), os.path.join(args.out, 'upscale-shuffle-x2-fixed'),
         range_meta)
    print('wrote', args.out)


if __name__ == '__main__':
    main()
