"""Training-time monitor: a numpy port of demo/analyse.ts (the TypeScript analyser is the one
the adherence test uses). Background = per-row median; foreground = pixels far from it;
colour = majority hue class; place = centroid in thirds-ish bands; size = area."""
import numpy as np


def hue_class(rgb):
    rgb = rgb.astype(np.float32)
    mx, mn = rgb.max(-1), rgb.min(-1)
    v, s = mx / 255, np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    d = np.maximum(mx - mn, 1e-6)
    h = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4)) * 60
    out = np.full(rgb.shape[:-1], 'other', dtype=object)
    chroma = (s >= 0.25) & (v >= 0.25)
    for name, lo, hi in (('red', 330, 360), ('red', 0, 15), ('orange', 15, 38), ('yellow', 38, 75),
                         ('green', 75, 165), ('blue', 165, 255), ('purple', 255, 330)):
        out[chroma & (h >= lo) & (h < hi)] = name
    out[v < 0.25] = 'black'
    out[(s < 0.25) & (v > 0.75)] = 'white'
    return out


def place_of(cx, cy):
    hx = 'left' if cx < 0.4 else 'right' if cx > 0.6 else ''
    vy = 'top' if cy < 0.4 else 'bottom' if cy > 0.6 else ''
    return (vy + ' ' + hx).strip() or 'centre'


def analyse(img):
    h, w, _ = img.shape
    bg = np.median(img.astype(np.float32), axis=1, keepdims=True)
    fg = np.sqrt(((img.astype(np.float32) - bg) ** 2).sum(-1)) > 50
    if fg.sum() < 20:
        return {'colour': None, 'place': None, 'size': None}
    cls = hue_class(img)
    names, counts = np.unique(cls[fg], return_counts=True)
    colour = names[counts.argmax()]
    m = fg & (cls == colour)
    ys, xs = np.nonzero(m)
    area = m.sum() * (128 * 128) / (h * w)
    return {'colour': colour, 'place': place_of((xs.mean() + 0.5) / w, (ys.mean() + 0.5) / h),
            'size': 'large' if area > 750 else 'small', 'area': int(area)}


if __name__ == '__main__':
    import random
    import world
    rng = random.Random(3)
    n = ok = 0
    for _ in range(500):
        sc = world.random_scene(rng, two_rate=0)
        r, o = analyse(world.draw(sc)), sc['objects'][0]
        good = (r['colour'], r['place'], r['size']) == (o['colour'], o['place'], o['size'])
        ok += good
        n += 1
        if not good:
            print(o['colour'], o['place'], o['size'], sc['background'], r)
    print(f'{ok}/{n} drawn scenes analysed right')
