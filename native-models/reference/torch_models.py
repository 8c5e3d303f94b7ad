"""The tiny test models as torch modules with exactly the weights the recipe exported.

The recipe (native-models/recipes/build_test_models.py) is replayed with the same seed and with
sdlayout.export replaced by a hook that keeps each module instead of writing ONNX, so every draw
from torch's RNG (including the dummy export inputs) happens in the same order. The rebuilt
weights are then compared with the committed ONNX initializers of the same name: if the recipe or
the models changed since the fixtures were written, this refuses to continue."""
import os
import sys

import torch

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
    return sum(sdlayout.verify_initializers(module, os.path.join(TEST_MODELS, name, part, 'model.onnx'), f'{name}/{part}')
               for part, module in modules.items())


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
        matched = sdlayout.verify_initializers(net, os.path.join(TEST_MODELS, name, rel), name, 10)
        print(f'{name}: rebuilt, {matched} weights equal to the committed ONNX initializers', file=sys.stderr)
        out[name] = net
    return out
