"""Train the demo ControlNet (native-models/demo/atelier-shapes-128-scribble) on the shapes world: control
image = the shapes' outlines as the app's scribble preprocessor draws them (white lines ~2 px wide on
black, 0..1, N×3×128×128), target = the scene. The demo model stays frozen: its networks are loaded back
from its committed ONNX files (onnx_weights.py); the ControlNet starts as a copy of its UNet's encoder with
zero-initialised output convs (diffusers' ControlNetModel.from_unet).

  nice -n 15 /usr/bin/python3 native-models/recipes/train_demo_controlnet.py all --deadline 17:35
  ... train_demo_controlnet.py data|train|export [--steps N] [--resume]

Checkpoints go to native-models/demo/.train-controlnet/ (ignored); a file named `stop` there ends training
early with the weights so far. `export` writes the ControlNet folder and the demo model's
`controlnet/model.onnx` (its UNet again, taking the residuals: OnnxStack's layout beside the plain UNet)."""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The demo model's own tokenizer files (the CLIP vocabulary) serve when ../shared is not beside the checkout.
os.environ.setdefault('ATELIER_CLIP_TOKENIZER', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'demo',
                                                             'atelier-shapes-128', 'tokenizer'))
import sdlayout as L  # noqa: E402
import world  # noqa: E402
from onnx_weights import load_from_onnx  # noqa: E402
from quick_analyse import hue_class  # noqa: E402
from sdcontrolnet import ResidualUNet, ShapesControlNet, skip_channels  # noqa: E402
from sdnet import VAEEncoderExport, export  # noqa: E402
import train_demo  # noqa: E402
from train_demo import (ALPHAS_CUMPROD, TEXT_DIM, _tokenizer, make_text, make_unet, make_vae,  # noqa: E402
                        to_tensor, tokenize)

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, '..', 'demo')
BASE = os.path.join(DEMO, 'atelier-shapes-128')
WORK = os.environ.get('ATELIER_TRAIN_DIR', os.path.join(DEMO, '.train-controlnet'))
OUT = os.environ.get('ATELIER_MODEL_OUT', os.path.join(DEMO, 'atelier-shapes-128-scribble'))


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)


def load_demo(parts=('text', 'unet', 'enc', 'dec')):
    """The demo model's networks in torch, with exactly its committed weights."""
    out = {}
    if 'text' in parts:
        out['text'] = load_from_onnx(make_text(), os.path.join(BASE, 'text_encoder', 'model.onnx'),
                                     lambda m, p: L.export_text_encoder(m, os.path.dirname(p)))
    if 'unet' in parts:
        out['unet'] = load_from_onnx(make_unet(), os.path.join(BASE, 'unet', 'model.onnx'),
                                     lambda m, p: L.export_unet(m, os.path.dirname(p), TEXT_DIM, 16, torch.tensor([999.0])))
    enc, dec = make_vae()
    if 'enc' in parts:
        out['enc'] = load_from_onnx(enc, os.path.join(BASE, 'vae_encoder', 'model.onnx'), lambda m, p: export(
            VAEEncoderExport(m, 'mean'), (torch.rand(1, 3, 64, 64) * 2 - 1,), p, ['sample'], ['latent_sample'],
            {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'latent_sample': {0: 'batch', 2: 'height', 3: 'width'}}))
    if 'dec' in parts:
        out['dec'] = load_from_onnx(dec, os.path.join(BASE, 'vae_decoder', 'model.onnx'), lambda m, p: export(
            m, (torch.randn(1, 4, 8, 8),), p, ['latent_sample'], ['sample'],
            {'latent_sample': {0: 'batch', 2: 'height', 3: 'width'}, 'sample': {0: 'batch', 2: 'height', 3: 'width'}}))
    for m in out.values():
        m.eval().requires_grad_(False)
    return out


def scaling_factor():
    return json.load(open(os.path.join(BASE, 'vae_decoder', 'config.json')))['scaling_factor']


def outline_points(o, rng):
    """The shape's outline as a hand would draw it: a polygon, a little off in size, place and each vertex."""
    r = o['r'] * (1 + rng.uniform(-0.08, 0.08))
    x, y = o['x'] + rng.uniform(-1.5, 1.5), o['y'] + rng.uniform(-1.5, 1.5)
    if o['shape'] == 'circle':
        n = 28
        pts = [(x + r * math.cos(2 * math.pi * i / n), y + r * math.sin(2 * math.pi * i / n)) for i in range(n)]
    elif o['shape'] == 'square':
        pts = [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    else:
        pts = world._shape_points(o['shape'], x, y, r)
    j = 1.0
    return [(px + rng.uniform(-j, j), py + rng.uniform(-j, j)) for px, py in pts]


def scribble(scene, rng):
    """H×W float32 0/1: the objects' outlines, lines of the preprocessor's width (128/64 = 2 px, sometimes 3)."""
    img = Image.new('L', (world.SIZE, world.SIZE), 0)
    d = ImageDraw.Draw(img)
    for o in scene['objects']:
        pts = outline_points(o, rng)
        d.line(pts + [pts[0]], fill=255, width=rng.choice((2, 2, 3)), joint='curve')
    return np.asarray(img, np.float32) / 255


def make_data(a):
    rng = random.Random(a.seed)
    parts = load_demo(('enc',))
    scenes, lats = [], []
    with torch.no_grad():
        for i in range(0, a.scenes, 100):
            batch = [world.random_scene(rng, two_rate=0.2) for _ in range(100)]
            scenes += batch
            lats.append(parts['enc'](to_tensor([world.draw(s) for s in batch]))[:, :4].clone())
            if i % 2000 == 0:
                log(f'latents {i}/{a.scenes}')
    torch.save({'latents': torch.cat(lats) * scaling_factor(), 'scenes': scenes}, os.path.join(WORK, 'data.pt'))
    log(f'data: {len(scenes)} scenes')


def prompts_for(scenes, rng):
    # Half the prompts leave the place out (the outline says where), 10% are empty (guidance's other half).
    return ['' if rng.random() < 0.1 else world.describe(s, rng, 0.1, 0.1, 0.5) for s in scenes]


def train(a):
    torch.manual_seed(a.seed + 1)
    rng = random.Random(a.seed + 1)
    data = torch.load(os.path.join(WORK, 'data.pt'))
    lat, scenes = data['latents'], data['scenes']
    parts = load_demo(('text', 'unet'))
    text, unet = parts['text'], parts['unet']
    net = ShapesControlNet(unet).requires_grad_(True)  # the copy of the frozen encoder trains
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=0.0)
    tok = _tokenizer()
    ck_path = os.path.join(WORK, 'controlnet.pt')
    start = 0
    if a.resume and os.path.exists(ck_path):
        ck = torch.load(ck_path)
        net.load_state_dict(ck['net'])
        opt.load_state_dict(ck['opt'])
        start = ck['step'] + 1
        rng.seed(a.seed + 1 + start)
        log(f'resumed at step {start}')
    steps = a.steps
    deadline = None
    if a.deadline:
        h, m = map(int, a.deadline.split(':'))
        now = time.localtime()
        deadline = time.mktime(now[:3] + (h, m, 0) + now[6:])
    stop_file = os.path.join(WORK, 'stop')

    def lr_at(step):
        if step < 100:
            return a.lr * (step + 1) / 100
        return a.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / steps))))

    def save(step):
        torch.save({'net': net.state_dict(), 'opt': opt.state_dict(), 'step': step, 'scheduled_steps': steps},
                   ck_path + '.tmp')
        os.replace(ck_path + '.tmp', ck_path)

    t0, run, step = time.time(), 0.0, start
    while step < steps:
        for g in opt.param_groups:
            g['lr'] = lr_at(step)
        idx = [rng.randrange(len(scenes)) for _ in range(a.batch)]
        batch = [scenes[i] for i in idx]
        cond = torch.from_numpy(np.stack([scribble(s, rng) for s in batch]))[:, None].expand(-1, 3, -1, -1)
        with torch.no_grad():
            ctx = text(tokenize(tok, prompts_for(batch, rng)))[0]
        x0 = lat[idx]
        # Half the steps from the noisier half of the schedule: where the shape goes is settled there.
        t = torch.where(torch.rand(a.batch) < 0.5, torch.randint(0, 1000, (a.batch,)), torch.randint(500, 1000, (a.batch,)))
        ab = ALPHAS_CUMPROD[t][:, None, None, None]
        eps = torch.randn_like(x0)
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        res = net(xt, t.float(), ctx, cond, 1.0)
        pred = ResidualUNet(unet)(xt, t.float(), ctx, *res)
        # The demo UNet's last stage weighting (min-SNR-5 with a floor of 1): where the shape goes is decided
        # in the noisiest steps, which plain min-SNR all but ignores.
        snr = (ab / (1 - ab)).flatten()
        w = snr.clamp(min=a.snr_floor, max=5.0) / snr
        loss = (w * (pred - eps).pow(2).mean(dim=(1, 2, 3))).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        run = loss.item() if step == start else 0.98 * run + 0.02 * loss.item()
        if deadline and step == start + 50:
            per_step = (time.time() - t0) / 51
            steps = min(steps, step + 1 + int((deadline - time.time() - 60) / per_step))
            log(f'deadline {a.deadline}: training {steps} steps in all')
        if step % 50 == 0:
            log(f'step {step} loss {run:.4f} lr {lr_at(step):.2e} {(time.time() - t0) / (step - start + 1):.2f}s/step')
        if step % 250 == 249 or step == steps - 1:
            save(step)
        if step % a.eval_every == a.eval_every - 1:
            evaluate(net, parts, 8, a.seed + 500)
        if (deadline and time.time() > deadline) or os.path.exists(stop_file) or step + 1 == a.stop_at:
            if os.path.exists(stop_file):
                os.remove(stop_file)
            log(f'stopped after step {step}')
            save(step)
            break
        step += 1
    save(min(step, steps - 1))
    log(f'trained {step + 1 - start} steps in {(time.time() - t0) / 60:.1f} min')


def sample(parts, net, prompts, conds, seed, scale=1.0):
    """train_demo's DDIM sampler with CFG, the ControlNet run on both halves as diffusers does (scale 0 = no control)."""
    if 'dec' not in parts:
        parts['dec'] = load_demo(('dec',))['dec']
    cond = torch.cat([conds, conds])
    ru = ResidualUNet(parts['unet'])
    return train_demo.sample(parts['text'], lambda x, t, ctx: ru(x, t, ctx, *net(x, t, ctx, cond, scale)), parts['dec'],
                             scaling_factor(), prompts, seed)


def filled(scene):
    sc = dict(scene, background='black')
    return world.draw(sc).max(-1) > 40


def iou(img, scene):
    """IoU of the object's pixels (foreground of its colour class, as the analyser finds it) with the drawn shape."""
    o = scene['objects'][0]
    bg = np.median(img.astype(np.float32), axis=1, keepdims=True)
    fg = np.sqrt(((img.astype(np.float32) - bg) ** 2).sum(-1)) > 50
    m = fg & (hue_class(img) == o['colour'])
    want = filled(scene)
    return (m & want).sum() / max(1, (m | want).sum())


def evaluate(net, parts, n, seed):
    net.eval()
    rng = random.Random(seed)
    scenes = []
    while len(scenes) < n:
        s = world.random_scene(rng, two_rate=0.0)
        if s['objects'][0]['place'] != 'centre':
            scenes.append(s)
    prompts = [world.describe(s, rng, 0, 0, 1.0) for s in scenes]
    conds = torch.from_numpy(np.stack([scribble(s, rng) for s in scenes]))[:, None].expand(-1, 3, -1, -1)
    on = sample(parts, net, prompts, conds, seed)
    off = sample(parts, net, prompts, conds, seed, scale=0.0)
    net.train()
    i_on = np.mean([iou(im, s) for im, s in zip(on, scenes)])
    i_off = np.mean([iou(im, s) for im, s in zip(off, scenes)])
    log(f'eval {n} outlines (prompts without place): IoU with control {i_on:.2f}, without {i_off:.2f}')
    sheet = Image.new('RGB', (128 * n, 128 * 3))
    for i in range(n):
        sheet.paste(Image.fromarray((conds[i].permute(1, 2, 0).numpy() * 255).astype(np.uint8)), (i * 128, 0))
        sheet.paste(Image.fromarray(on[i]), (i * 128, 128))
        sheet.paste(Image.fromarray(off[i]), (i * 128, 256))
    sheet.save(os.path.join(WORK, 'eval.png'))


def export_all(a):
    ck = torch.load(os.path.join(WORK, 'controlnet.pt'))
    parts = load_demo(('unet',))
    unet = parts['unet']
    net = ShapesControlNet(unet)
    net.load_state_dict(ck['net'])
    net.eval()
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    path = os.path.join(OUT, 'controlnet', 'model.onnx')
    os.makedirs(os.path.dirname(path))
    skips = skip_channels(unet)
    outs = [f'down_block_{i}_additional_residual' for i in range(len(skips))] + ['mid_block_additional_residual']
    dyn = {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'encoder_hidden_states': {0: 'batch', 1: 'sequence'},
           'controlnet_cond': {0: 'batch', 2: 'cond_height', 3: 'cond_width'},
           **{o: {0: 'batch', 2: f'{o}_height', 3: f'{o}_width'} for o in outs}}
    export(net, (torch.randn(1, 4, 16, 16), torch.tensor([999.0]), torch.randn(1, 77, TEXT_DIM),
                 torch.rand(1, 3, 128, 128), torch.tensor(1.0)), path,
           ['sample', 'timestep', 'encoder_hidden_states', 'controlnet_cond', 'conditioning_scale'], outs, dyn)
    L.write_json(os.path.join(OUT, 'controlnet', 'config.json'), {
        '_class_name': 'ControlNetModel', '_diffusers_version': '0.19.0', 'conditioning_channels': 3,
        'controlnet_conditioning_channel_order': 'rgb', 'in_channels': 4, 'cross_attention_dim': TEXT_DIM,
        'block_out_channels': unet.channels, 'layers_per_block': 1,
        'conditioning_embedding_out_channels': list(net.controlnet_cond_embedding_channels)})
    # The label and provenance, where the app reads a folder's label (model_index.json's _atelier).
    L.write_json(os.path.join(OUT, 'model_index.json'), {
        '_class_name': 'ControlNetModel',
        '_atelier': {'label': 'Demo · shapes scribble', 'base': 'atelier-shapes-128', 'controlType': 'scribble',
                     'trainedSteps': ck['step'] + 1, 'scheduledSteps': ck['scheduled_steps'],
                     'recipe': 'native-models/recipes/train_demo_controlnet.py', 'seed': a.seed}})
    # The base's UNet taking the residuals, beside its plain UNet (OnnxStack's base-model layout).
    folder = os.path.join(BASE, 'controlnet')
    os.makedirs(folder, exist_ok=True)
    res_args = [torch.randn(1, c, 16 >> lvl, 16 >> lvl) for c, lvl in zip(skips, (0, 0, 1, 1))] + [torch.randn(1, 64, 8, 8)]
    rdyn = {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'encoder_hidden_states': {0: 'batch', 1: 'sequence'},
            'out_sample': {0: 'batch', 2: 'height', 3: 'width'},
            **{o: {0: 'batch', 2: f'{o}_height', 3: f'{o}_width'} for o in outs}}
    export(ResidualUNet(unet), (torch.randn(1, 4, 16, 16), torch.tensor([999.0]), torch.randn(1, 77, TEXT_DIM), *res_args),
           os.path.join(folder, 'model.onnx'), ['sample', 'timestep', 'encoder_hidden_states'] + outs, ['out_sample'], rdyn)
    shutil.copyfile(os.path.join(BASE, 'unet', 'config.json'), os.path.join(folder, 'config.json'))
    log(f'exported {OUT} and {folder}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('stage', choices=['all', 'data', 'train', 'export', 'eval'])
    ap.add_argument('--seed', type=int, default=21)
    ap.add_argument('--scenes', type=int, default=3000)
    ap.add_argument('--steps', type=int, default=20000)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--lr', type=float, default=4e-4)
    ap.add_argument('--snr-floor', type=float, default=1.0)
    ap.add_argument('--eval-every', type=int, default=300)
    ap.add_argument('--stop-at', type=int, default=0, help='stop after this many steps (replays a run cut short)')
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--deadline', help='HH:MM local time: stop training there (checkpoint kept)')
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    torch.set_num_threads(a.threads)
    for s in (['data', 'train', 'export'] if a.stage == 'all' else [a.stage]):
        if s == 'eval':
            ck = torch.load(os.path.join(WORK, 'controlnet.pt'))
            parts = load_demo(('text', 'unet'))
            net = ShapesControlNet(parts['unet'])
            net.load_state_dict(ck['net'])
            evaluate(net, parts, 16, a.seed + 600)
        else:
            {'data': make_data, 'train': train, 'export': export_all}[s](a)


if __name__ == '__main__':
    main()
