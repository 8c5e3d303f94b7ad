"""Declares the UNet's `encoder_hidden_states` sequence axis dynamic ('sequence'), as diffusers' and optimum's
exports do, so prompts longer than 75 tokens (several 77-token chunks concatenated) reach the cross-attention.

The test and demo models were first exported with a fixed 77 there; the graph itself has no 77 in it
(attention reshapes take the length from Shape ops), so only the input's declared shape changes and the
weights and outputs for 77 tokens stay bit-identical. sdlayout.export_unet now exports it dynamic directly.

    /usr/bin/python3 native-models/recipes/dynamic_sequence.py native-models/test-models/*/unet/model.onnx \
        native-models/demo/atelier-shapes-128/unet/model.onnx
"""
import sys

import onnx


def make_dynamic(path):
    model = onnx.load(path, load_external_data=False)
    changed = False
    for value in model.graph.input:
        if value.name == 'encoder_hidden_states':
            dim = value.type.tensor_type.shape.dim[1]
            if dim.dim_param != 'sequence':
                dim.ClearField('dim_value')
                dim.dim_param = 'sequence'
                changed = True
    # Intermediate shapes recorded at export time would pin 77 again; the runtime re-infers them.
    for value in list(model.graph.value_info):
        if any(d.dim_value == 77 for d in value.type.tensor_type.shape.dim):
            model.graph.value_info.remove(value)
            changed = True
    if changed:
        onnx.save(model, path)
    print(f"{path}: {'sequence axis now dynamic' if changed else 'already dynamic'}")


if __name__ == '__main__':
    for p in sys.argv[1:]:
        make_dynamic(p)
