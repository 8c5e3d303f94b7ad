"""An fp16 variant of the tiny SD 1.5 UNet and VAE decoder, for the engine's float16 I/O path.

Real fp16 exports take and return float16 tensors (onnxruntime-node: Uint16Array bit patterns) and
store float16 weights. This recipe rewrites the tiny models that way: graph inputs and outputs become
float16, every float32 initializer is stored as float16 and cast back up where it is used, so the
arithmetic inside stays float32 (as fp16 conversions keep sensitive ops) and runs on any provider.

  /usr/bin/python3 native-models/recipes/build_fp16_variant.py
"""
import os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

ROOT = os.path.join(os.path.dirname(__file__), '..', 'test-models')


def rename_uses(nodes, old, new):
    for node in nodes:
        node.input[:] = [new if n == old else n for n in node.input]
        node.output[:] = [new if n == old else n for n in node.output]


def to_fp16_io(src, dst):
    model = onnx.load(src)
    g = model.graph
    nodes = list(g.node)
    head, tail = [], []
    # Weights: stored as float16, cast up to their old name where the graph uses them.
    inits = []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT:
            half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name + '_fp16')
            inits.append(half)
            head.append(helper.make_node('Cast', [half.name], [init.name], to=TensorProto.FLOAT))
        else:
            inits.append(init)
    del g.initializer[:]
    g.initializer.extend(inits)
    # Inputs: float16 at the boundary, cast up on entry.
    for inp in g.input:
        if inp.type.tensor_type.elem_type == TensorProto.FLOAT:
            inside = inp.name + '_f32'
            rename_uses(nodes, inp.name, inside)
            inp.type.tensor_type.elem_type = TensorProto.FLOAT16
            head.append(helper.make_node('Cast', [inp.name], [inside], to=TensorProto.FLOAT))
    # Outputs: computed in float32 under an inner name, cast down to float16 on exit.
    for out in g.output:
        if out.type.tensor_type.elem_type == TensorProto.FLOAT:
            inside = out.name + '_f32'
            rename_uses(nodes, out.name, inside)
            out.type.tensor_type.elem_type = TensorProto.FLOAT16
            tail.append(helper.make_node('Cast', [inside], [out.name], to=TensorProto.FLOAT16))
    del g.node[:]
    g.node.extend(head + nodes + tail)
    del g.value_info[:]  # stale float32 shape annotations
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def main():
    out = os.path.join(ROOT, 'fp16-io')
    os.makedirs(out, exist_ok=True)
    to_fp16_io(os.path.join(ROOT, 'sd15-tiny', 'unet', 'model.onnx'), os.path.join(out, 'unet.onnx'))
    to_fp16_io(os.path.join(ROOT, 'sd15-tiny', 'vae_decoder', 'model.onnx'), os.path.join(out, 'vae_decoder.onnx'))


if __name__ == '__main__':
    main()
