"""A tiny stand-in for diffusers' ONNX safety checker, with its exact I/O, for the engine's tests.

diffusers' OnnxStableDiffusionPipeline calls `safety_checker(clip_input=[b,3,224,224] float,
images=[b,H,W,3] float)` and reads `has_nsfw_concepts` ([b] bool). The real one is a CLIP vision
model plus concept embeddings; this one flags an image when its CLIP-normalised red channel is, on
average, well above the others (a plain red picture), so tests can produce both verdicts at will.

  /usr/bin/python3 native-models/recipes/build_safety_checker.py
"""
import os
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test-models', 'safety-checker-tiny')


class RedChecker(torch.nn.Module):
    def forward(self, clip_input, images):
        red = clip_input[:, 0].mean(dim=(1, 2))
        others = clip_input[:, 1:].mean(dim=(1, 2, 3))
        has_nsfw = (red - others) > 1.0
        return images, has_nsfw


def main():
    os.makedirs(OUT, exist_ok=True)
    clip = torch.zeros(1, 3, 224, 224)
    images = torch.zeros(1, 64, 64, 3)
    torch.onnx.export(
        RedChecker(), (clip, images), os.path.join(OUT, 'model.onnx'),
        input_names=['clip_input', 'images'], output_names=['out_images', 'has_nsfw_concepts'],
        dynamic_axes={'clip_input': {0: 'batch'}, 'images': {0: 'batch', 1: 'height', 2: 'width'},
                      'out_images': {0: 'batch', 1: 'height', 2: 'width'}, 'has_nsfw_concepts': {0: 'batch'}},
        opset_version=14,
    )


if __name__ == '__main__':
    main()
