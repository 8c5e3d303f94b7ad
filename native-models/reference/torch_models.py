"""The tiny test models as torch modules with exactly the weights the recipe exported.

The recipe (native-models/recipes/build_test_models.py) is replayed with the same seed and with
sdlayout.export replaced by a hook that keeps each module instead of writing ONNX, so every draw
from torch's RNG (including the dummy export inputs) happens in the same order. The rebuilt
weights are then compared with the committed ONNX initializers of the same name: if the recipe or
the models changed since the fixtures were written, this refuses to continue."""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
NATIVE = os.path.dirname(HERE)
RECIPES = os.path.join(NATIVE, 'recipes')
TEST_MODELS = os.path.join(NATIVE, 'test-models')
sys.path.insert(0, RECIPES)

import build_test_models  # noqa: E402
import sdlayout  # noqa: E402

PARTS = ('text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'vae_encoder')


def _verify(name, modules):
    """Every ONNX initializer named like a parameter must equal it; at least a few must match."""
    checked = 0
    for part, module in modules.items():
        model = onnx.load(os.path.join(TEST_MODELS, name, part, 'model.onnx'))
        state = {k: v.detach().numpy() for k, v in module.state_dict().items()}
        part_checked = 0
        for init in model.graph.initializer:
            if init.name in state:
                onnx_value = numpy_helper.to_array(init)
                if onnx_value.shape != state[init.name].shape or not np.array_equal(onnx_value, state[init.name]):
                    raise SystemExit(f'{name}/{part}: weight {init.name} differs from the recipe replay; '
                                     'rebuild the test models and the fixtures together')
                part_checked += 1
        if part_checked < 3:
            raise SystemExit(f'{name}/{part}: only {part_checked} initializers could be matched by name')
        checked += part_checked
    return checked


def load_models(seed=1234):
    """{model name: {part: module}} for sd15-tiny, sd15-inpaint-tiny and sdxl-tiny (recipe seeds
    seed, seed + 1, seed + 2, as build_test_models.main)."""
    torch.set_num_threads(2)
    builds = {
        'sd15-tiny': lambda d: build_test_models.build_sd15(d, seed),
        'sd15-inpaint-tiny': lambda d: build_test_models.build_sd15(d, seed + 1, inpaint=True),
        'sdxl-tiny': lambda d: build_test_models.build_sdxl(d, seed + 2),
    }
    out = {}
    for name, build in builds.items():
        modules = sdlayout.capture_exports(build)
        missing = [p for p in ('text_encoder', 'unet', 'vae_decoder', 'vae_encoder') if p not in modules]
        if missing:
            raise SystemExit(f'{name}: the recipe exported no {missing}')
        n = _verify(name, modules)
        print(f'{name}: rebuilt, {n} weights equal to the committed ONNX initializers', file=sys.stderr)
        out[name] = modules
    return out


if __name__ == '__main__':
    load_models()


# ControlNets (issue 20): build_test_controlnets.py's nets, replayed from the base UNets above.
CONTROLNETS = {
    # name: (base model, seed offset, ONNX file inside test-models/name)
    'controlnet-sd15-tiny': ('sd15-tiny', 200, 'controlnet/model.onnx'),
    'controlnet-sd15-tiny-b': ('sd15-tiny', 300, 'model.onnx'),
    'controlnet-sdxl-tiny': ('sdxl-tiny', 400, 'controlnet/model.onnx'),
}


def load_controlnets(models, seed=1234):
    """{name: ControlNetModel} with the committed ONNX files' weights (checked by initializer name)."""
    import build_test_controlnets
    out = {}
    for name, (base, offset, rel) in CONTROLNETS.items():
        net = build_test_controlnets.build_controlnet(models[base]['unet'], seed + offset)
        onnx_model = onnx.load(os.path.join(TEST_MODELS, name, rel))
        state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
        matched = 0
        for init in onnx_model.graph.initializer:
            if init.name in state:
                if not np.array_equal(numpy_helper.to_array(init), state[init.name]):
                    raise SystemExit(f'{name}: weight {init.name} differs from the recipe replay; rebuild the ControlNets and the fixtures together')
                matched += 1
        if matched < 10:
            raise SystemExit(f'{name}: only {matched} initializers could be matched by name')
        print(f'{name}: rebuilt, {matched} weights equal to the committed ONNX initializers', file=sys.stderr)
        out[name] = net
    return out
