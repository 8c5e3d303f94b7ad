"""The demo model's synthetic world: scenes of one or two shapes on a background, drawn at
128 x 128, and prompts in varied wording. Rules and words come from demo/world.json, which the
TypeScript grammar and analyser (demo/world.ts, demo/analyse.ts) read too."""
import json
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw

WORLD = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'demo', 'world.json')))
SIZE = WORLD['size']
COLOURS = list(WORLD['colours'])
SHAPES = WORLD['shapes']
PLACES = list(WORLD['places'])
BACKGROUNDS = list(WORLD['backgrounds'])


def allowed_colours(bg):
    return [c for c in COLOURS if c not in WORLD['backgrounds'][bg]['excludes']]


def far_apart(p, q):
    (ax, ay), (bx, by) = WORLD['places'][p], WORLD['places'][q]
    return math.hypot(ax - bx, ay - by) >= 0.4


def random_scene(rng: random.Random, two_rate=None):
    """A scene: {'background', 'objects': [{'shape','colour','size','place','x','y','r'}]}.
    Two objects get different colours and places at least 0.4 apart."""
    two_rate = WORLD['twoObjectRate'] if two_rate is None else two_rate
    bg = rng.choice(BACKGROUNDS)
    n = 2 if rng.random() < two_rate else 1
    objs = []
    for _ in range(n):
        colours = [c for c in allowed_colours(bg) if all(o['colour'] != c for o in objs)]
        # centre has no place far enough from it, so pairs never use it
        places = [p for p in PLACES if all(far_apart(p, o['place']) for o in objs) and (n == 1 or p != 'centre')]
        shape, colour, place = rng.choice(SHAPES), rng.choice(colours), rng.choice(places)
        size = rng.choice(['small', 'large'])
        px, py = WORLD['places'][place]
        j = WORLD['placeJitter']
        r = WORLD['sizes'][size][shape] * (1 + rng.uniform(-1, 1) * WORLD['sizeJitter'])
        objs.append(dict(shape=shape, colour=colour, size=size, place=place,
                         x=(px + rng.uniform(-j, j)) * SIZE, y=(py + rng.uniform(-j, j)) * SIZE, r=r))
    return dict(background=bg, objects=objs, noise_seed=rng.randrange(2 ** 31))


def _tidy(text):
    text = ' '.join(text.split())
    while ', ,' in text:
        text = text.replace(', ,', ',')
    text = text.replace(' ,', ',').replace(':,', ':').strip(' ,:')
    return text


def describe(scene, rng: random.Random, drop_size=0.0, drop_background=0.0, drop_place=0.0):
    """A prompt for the scene in one of the world's wordings (synonyms, word orders). drop_place (the
    demo ControlNet's prompts: the outline says where) draws from rng only when set, so seeded prompts
    without it stay as they were."""
    w = WORLD['words']
    no_size = rng.random() < drop_size
    no_bg = rng.random() < drop_background
    no_place = drop_place > 0 and rng.random() < drop_place

    def fill(t, o):
        return (t.replace('{size}', '' if no_size else rng.choice(w['size'][o['size']]))
                 .replace('{colour}', rng.choice(w['colour'].get(o['colour'], [o['colour']])))
                 .replace('{shape}', o['shape']).replace('{place}', '' if no_place else rng.choice(w['place'][o['place']])))

    bg = '' if no_bg else rng.choice(w['background'][scene['background']])
    objs = scene['objects']
    if len(objs) == 1:
        text = fill(rng.choice(WORLD['templates']), objs[0]).replace('{background}', bg)
        if no_size:
            text = text.replace('a  ', 'a ')
    else:
        parts = [fill(rng.choice(WORLD['objectTemplates']), o) for o in objs]
        text = rng.choice(WORLD['pairTemplates']).replace('{object1}', parts[0]).replace('{object2}', parts[1])
        text = text.replace('{background}', bg)
    text = text.replace(' with ,', ',').replace(' with ', ' with ' if bg else ' ')
    return _tidy(text)


def _shape_points(shape, x, y, r):
    if shape == 'triangle':
        return [(x + r * math.cos(a), y + r * math.sin(a)) for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
    if shape == 'star':
        pts = []
        for i in range(10):
            a = -math.pi / 2 + i * math.pi / 5
            rr = r if i % 2 == 0 else r * 0.45
            pts.append((x + rr * math.cos(a), y + rr * math.sin(a)))
        return pts
    raise ValueError(shape)


def draw(scene, supersample=4):
    """RGB uint8 [SIZE, SIZE, 3]. Backgrounds are vertical gradients, textured ones with smooth noise."""
    spec = WORLD['backgrounds'][scene['background']]
    t = np.linspace(0, 1, SIZE, dtype=np.float32)[:, None, None]
    top, bottom = np.array(spec['top'], np.float32), np.array(spec['bottom'], np.float32)
    bg = np.broadcast_to(top * (1 - t) + bottom * t, (SIZE, SIZE, 3)).copy()
    if spec['noise']:
        nrng = np.random.default_rng(scene['noise_seed'])
        coarse = nrng.normal(0, spec['noise'], (16, 16)).astype(np.float32)
        smooth = np.array(Image.fromarray(coarse).resize((SIZE, SIZE), Image.BICUBIC))
        bg += smooth[:, :, None] + nrng.normal(0, spec['noise'] * 0.3, (SIZE, SIZE, 1))
    s = supersample
    img = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8)).resize((SIZE * s, SIZE * s), Image.NEAREST)
    d = ImageDraw.Draw(img)
    for o in scene['objects']:
        col = tuple(WORLD['colours'][o['colour']])
        x, y, r = o['x'] * s, o['y'] * s, o['r'] * s
        if o['shape'] == 'circle':
            d.ellipse([x - r, y - r, x + r, y + r], fill=col)
        elif o['shape'] == 'square':
            d.rectangle([x - r, y - r, x + r, y + r], fill=col)
        else:
            d.polygon(_shape_points(o['shape'], x, y, r), fill=col)
    return np.asarray(img.resize((SIZE, SIZE), Image.BOX))


def write_fixtures(folder, seed=11, single=24, pairs=8):
    """Drawn scenes with their truth, for the TypeScript analyser's test: one PNG sheet, one JSON."""
    rng = random.Random(seed)
    scenes = [random_scene(rng, 0.0) for _ in range(single)] + [random_scene(rng, 1.0) for _ in range(pairs)]
    cols = 8
    sheet = Image.new('RGB', (SIZE * cols, SIZE * ((len(scenes) + cols - 1) // cols)))
    for i, sc in enumerate(scenes):
        sheet.paste(Image.fromarray(draw(sc)), ((i % cols) * SIZE, (i // cols) * SIZE))
    os.makedirs(folder, exist_ok=True)
    sheet.save(os.path.join(folder, 'drawn-scenes.png'))
    truth = [{'background': sc['background'],
              'objects': [{k: o[k] for k in ('shape', 'colour', 'size', 'place')} for o in sc['objects']]} for sc in scenes]
    with open(os.path.join(folder, 'drawn-scenes.json'), 'w') as f:
        json.dump({'columns': cols, 'cell': SIZE, 'scenes': truth}, f, indent=1)


if __name__ == '__main__':
    import sys
    if len(sys.argv) > 2 and sys.argv[1] == '--fixtures':
        write_fixtures(sys.argv[2])
        sys.exit(0)
    rng = random.Random(0)
    sheet = Image.new('RGB', (SIZE * 4, SIZE * 4))
    for i in range(16):
        sc = random_scene(rng)
        print(describe(sc, rng, 0.1, 0.1))
        sheet.paste(Image.fromarray(draw(sc)), ((i % 4) * SIZE, (i // 4) * SIZE))
    sheet.save('/tmp/world_sheet.png')
