"""Load a committed ONNX export's weights back into the torch module it was exported from.

The demo model's training checkpoints are not kept (only its ONNX folder is), and recipes that build on
it (the demo ControlNet) need its networks in torch. torch.onnx renames and reshapes some weights
(Linear weights become transposed MatMul initializers, GroupNorm scales fold into [C,1,1] constants), so
names alone do not map back. Instead the module is exported again with distinct random weights through
the same exporter call: each initializer of that export is matched to the parameter it holds (by value,
possibly transposed/reshaped); the committed file's initializer of the same name (tracing is
deterministic) then fills that parameter. Finally the loaded module is exported once more and every
initializer must equal the committed file's: the torch module *is* the committed network."""
import os
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper


def _initializers(path):
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}


def _trace(export_fn, module):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'model.onnx')
        export_fn(module, path)
        return _initializers(path)


def load_from_onnx(module, onnx_path, export_fn):
    """export_fn(module, path) writes the module as the committed file was written. Returns the module."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p))
    params = {n: p.detach().numpy().copy() for n, p in module.named_parameters()}
    traced = _trace(export_fn, module)
    committed = _initializers(onnx_path)
    plan = {}  # parameter name -> (initializer name, transposed)
    for name, value in traced.items():
        for pname, pv in params.items():
            if pname in plan:
                continue
            if value.size == pv.size and np.array_equal(value.reshape(-1), pv.reshape(-1)):
                plan[pname] = (name, False)
                break
            if value.ndim == 2 and pv.ndim == 2 and value.shape == pv.T.shape and np.array_equal(value, pv.T):
                plan[pname] = (name, True)
                break
    missing = [n for n in params if n not in plan]
    if missing:
        raise SystemExit(f'{onnx_path}: no initializer holds {missing[:5]} (the export folded them)')
    state = dict(module.state_dict())
    for pname, (iname, transposed) in plan.items():
        if iname not in committed:
            raise SystemExit(f'{onnx_path}: has no initializer {iname} (exported by another torch version?)')
        v = committed[iname].T if transposed else committed[iname]
        state[pname] = torch.from_numpy(np.ascontiguousarray(v)).reshape(params[pname].shape).float()
    module.load_state_dict(state)
    again = _trace(export_fn, module)
    for name, value in again.items():
        if name not in committed or not np.allclose(committed[name], value, rtol=0, atol=0):
            raise SystemExit(f'{onnx_path}: initializer {name} differs after loading')
    return module
