"""Train the demo model (native-models/demo/atelier-shapes-128) on the synthetic shapes world.

  nice -n 10 /usr/bin/python3 native-models/recipes/train_demo.py all      # vae, latents, unet, export
  ... train_demo.py vae|latents|unet|export [--seed 7] [--unet-steps N]

Stages write checkpoints to native-models/demo/.train/ (ignored); `export` writes the ONNX layout.
Reproducible from --seed (torch and Python RNGs are seeded per stage; 2 threads)."""
import argparse
import copy
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402
from clip_bpe import ClipBPE  # noqa: E402
from sdlayout import CLIP_TOKENIZER_DIR  # noqa: E402
from sdnet import TextEncoder, UNet, VAEDecoder, VAEEncoder  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, '..', 'demo')
WORK = os.environ.get('ATELIER_TRAIN_DIR', os.path.join(DEMO, '.train'))
MODEL_DIR = os.environ.get('ATELIER_MODEL_OUT', os.path.join(DEMO, 'atelier-shapes-128'))

# Architecture (kept in one place: the exporter rebuilds the same modules).
VAE_ENC = (8, 16, 32)
VAE_DEC = (32, 16, 8)
TEXT_DIM, TEXT_LAYERS, TEXT_HEADS = 64, 2, 2
UNET_CH, UNET_ATTN, UNET_HEADS = (32, 64), (False, True), 2


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)


def make_vae():
    return VAEEncoder(VAE_ENC, colour_skip=True), VAEDecoder(VAE_DEC, colour_skip=True)


def make_text():
    return TextEncoder(TEXT_DIM, TEXT_LAYERS, TEXT_HEADS)


def make_unet(coords=True):
    return UNet(4, 4, UNET_CH, UNET_ATTN, TEXT_DIM, 1, UNET_HEADS, 1, pool_ctx=True, coords=coords)


def widen_conv_in(state):
    """A no-coords UNet state -> the coords UNet: the two new input channels start at zero weight."""
    w = state['conv_in.weight']
    state['conv_in.weight'] = torch.cat([w, torch.zeros(w.shape[0], 2, *w.shape[2:])], dim=1)
    return state


def to_tensor(imgs):
    return torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).float() / 127.5 - 1


def train_vae(a):
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    enc, dec = make_vae()
    if a.resume and os.path.exists(os.path.join(WORK, 'vae.pt')):
        enc, dec = load_vae()
        enc.train()
        dec.train()
        log('vae: resumed from vae.pt')
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=a.vae_lr)
    steps, bs, crop = a.vae_steps, a.vae_batch, a.vae_crop
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.vae_lr, total_steps=steps, pct_start=0.05)
    stop_file = os.path.join(WORK, 'stop-vae')
    t0 = time.time()
    for step in range(steps):
        # crops (aligned to the 8 px latent grid) train the convolutions at a fraction of the cost
        imgs = []
        for _ in range(bs):
            im = world.draw(world.random_scene(rng, two_rate=0.5))
            y, x = rng.randrange(0, 129 - crop, 8), rng.randrange(0, 129 - crop, 8)
            imgs.append(im[y:y + crop, x:x + crop])
        x = to_tensor(imgs)
        m = enc(x)
        mean, logvar = m[:, :4], m[:, 4:].clamp(-30, 20)
        # Decode the mean plus a little fixed noise: sampling with the learned variance let the
        # decoder ignore the latents early on (washed-out colours). The engine encodes with the
        # mean, so the log-variance only gets a KL pull; the mean's scale is kept by the KL too.
        z = mean + (torch.exp(0.5 * logvar) if a.vae_posterior else 0.05) * torch.randn_like(mean)
        rec = dec(z)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        loss = F.l1_loss(rec, x) + F.mse_loss(rec, x) + 1e-4 * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == steps - 1:
            log(f'vae step {step} loss {loss.item():.4f} kl {kl.item():.3f} {(time.time() - t0) / (step + 1):.2f}s/step')
        if step % 100 == 99:
            torch.save({'enc': enc.state_dict(), 'dec': dec.state_dict()}, os.path.join(WORK, 'vae.pt'))
        if os.path.exists(stop_file):
            # a stop file ends the stage early with the weights so far (CPU time is shared here)
            os.remove(stop_file)
            log(f'vae stopped at step {step}')
            break
    torch.save({'enc': enc.state_dict(), 'dec': dec.state_dict()}, os.path.join(WORK, 'vae.pt'))
    # PSNR on fresh full scenes, decoded from the mean
    with torch.no_grad():
        x = to_tensor([world.draw(world.random_scene(rng)) for _ in range(32)])
        rec = dec(enc(x)[:, :4]).clamp(-1, 1)
        mse = ((rec - x) / 2).pow(2).mean().item()
    log(f'vae done: PSNR {10 * math.log10(1 / mse):.1f} dB')


def load_vae():
    enc, dec = make_vae()
    ck = torch.load(os.path.join(WORK, 'vae.pt'))
    enc.load_state_dict(ck['enc'])
    dec.load_state_dict(ck['dec'])
    return enc.eval(), dec.eval()


def encode_latents(a):
    """Render the training scenes once and store their VAE means (the diffusion trains on these)."""
    rng = random.Random(a.seed + 1)
    enc, _ = load_vae()
    scenes, lats = [], []
    with torch.no_grad():
        for i in range(0, a.scenes, 100):
            batch = [world.random_scene(rng) for _ in range(100)]
            scenes += batch
            lats.append(enc(to_tensor([world.draw(s) for s in batch]))[:, :4].clone())
            if i % 5000 == 0:
                log(f'latents {i}/{a.scenes}')
    lat = torch.cat(lats)
    scale = 1.0 / lat.std().item()
    log(f'latents: mean {lat.mean().item():.3f} std {lat.std().item():.3f} -> scaling_factor {scale:.5f}')
    torch.save({'latents': lat, 'scaling_factor': scale}, os.path.join(WORK, 'latents.pt'))
    json.dump(scenes, open(os.path.join(WORK, 'scenes.json'), 'w'))


def betas_scaled_linear(n=1000, start=0.00085, end=0.012):
    return torch.linspace(start ** 0.5, end ** 0.5, n, dtype=torch.float64) ** 2


ALPHAS_CUMPROD = torch.cumprod(1 - betas_scaled_linear(), 0).float()


class Ema:
    def __init__(self, modules, decay):
        self.decay = decay
        self.shadow = [copy.deepcopy(m).eval().requires_grad_(False) for m in modules]
        self.modules = modules

    @torch.no_grad()
    def update(self, step):
        d = min(self.decay, (1 + step) / (10 + step))
        for s, m in zip(self.shadow, self.modules):
            for ps, pm in zip(s.parameters(), m.parameters()):
                ps.mul_(d).add_(pm.detach(), alpha=1 - d)


_TOK = []


def _tokenizer():
    if not _TOK:
        _TOK.append(ClipBPE(CLIP_TOKENIZER_DIR))
    return _TOK[0]


def tokenize(tok, prompts):
    return torch.tensor([tok(p) for p in prompts], dtype=torch.long)


def train_unet(a):
    torch.manual_seed(a.seed + 2)
    rng = random.Random(a.seed + 2)
    data = torch.load(os.path.join(WORK, 'latents.pt'))
    lat, scale = data['latents'] * data['scaling_factor'], data['scaling_factor']
    scenes = json.load(open(os.path.join(WORK, 'scenes.json')))
    tok = _tokenizer()
    text, unet = make_text(), make_unet(coords=a.coords)
    aux = torch.nn.Linear(TEXT_DIM, len(world.PLACES) + len(world.COLOURS)) if a.aux_text else None
    params = list(text.parameters()) + list(unet.parameters()) + (list(aux.parameters()) if aux else [])
    opt = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.99), weight_decay=0.0)
    ema = Ema([text, unet], 0.998)
    start = 0
    ck_path = os.path.join(WORK, 'unet.pt')
    if a.init_from:
        # Second stage of the shipped model: continue a no-coords run with coordinate channels.
        ck = torch.load(a.init_from)
        text.load_state_dict(ck['text'])
        widen = widen_conv_in if ck['unet']['conv_in.weight'].shape[1] == 4 and a.coords else (lambda st: st)
        unet.load_state_dict(widen(ck['unet']))
        ema.shadow[0].load_state_dict(ck['ema_text'])
        ema.shadow[1].load_state_dict(widen(ck['ema_unet']))
        log(f'initialised from {a.init_from} (step {ck["step"]})')
    if a.resume and os.path.exists(ck_path):
        ck = torch.load(ck_path)
        text.load_state_dict(ck['text'])
        unet.load_state_dict(ck['unet'])
        ema.shadow[0].load_state_dict(ck['ema_text'])
        ema.shadow[1].load_state_dict(ck['ema_unet'])
        opt.load_state_dict(ck['opt'])
        start = ck['step'] + 1
        rng.seed(a.seed + 2 + start)
        log(f'resumed at step {start}')
    steps, bs = a.unet_steps, a.batch
    deadline = None
    if a.deadline:
        h, m = map(int, a.deadline.split(':'))
        now = time.localtime()
        deadline = time.mktime(now[:3] + (h, m, 0) + now[6:])

    t_start = time.time()

    def lr_at(step):
        if step < 150:
            return a.lr * (step + 1) / 150
        return a.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / steps))))

    def save(step):
        torch.save({'text': text.state_dict(), 'unet': unet.state_dict(), 'ema_text': ema.shadow[0].state_dict(),
                    'ema_unet': ema.shadow[1].state_dict(), 'opt': opt.state_dict(), 'step': step,
                    'scaling_factor': scale, 'scheduled_steps': steps}, ck_path + '.tmp')
        os.replace(ck_path + '.tmp', ck_path)

    t0, run = time.time(), 0.0
    step = start
    while step < steps:
        for g in opt.param_groups:
            g['lr'] = lr_at(step)
        idx = [rng.randrange(len(scenes)) for _ in range(bs)]
        # 10% empty prompts teach the unconditional branch classifier-free guidance needs.
        prompts = ['' if rng.random() < 0.1 else world.describe(scenes[i], rng, 0.1, 0.1) for i in idx]
        ids = tokenize(tok, prompts)
        x0 = lat[idx]
        # --aux-text: one-object prompts also train a linear probe (not exported) to read place
        # and colour from the mean text state, so place words get embeddings of their own.
        aux_rows = [k for k, i in enumerate(idx) if prompts[k] and len(scenes[i]['objects']) == 1]
        t = torch.randint(0, 1000, (bs,))
        ab = ALPHAS_CUMPROD[t][:, None, None, None]
        eps = torch.randn_like(x0)
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        ctx = text(ids)[0]
        pred = unet(xt, t.float(), ctx)
        # min-SNR-5 weighting (Hang et al. 2023). --snr-floor lifts the weight of the noisiest steps:
        # in x0 terms min-SNR weighs them ~0.005, so the layout (where the object goes, which
        # only those steps decide) went untrained and sampled positions ignored the prompt.
        snr = (ab / (1 - ab)).flatten()
        w = snr.clamp(min=a.snr_floor, max=5.0) / snr
        loss = (w * (pred - eps).pow(2).mean(dim=(1, 2, 3))).mean()
        if aux is not None and aux_rows:
            pooled = ctx[aux_rows].mean(dim=1)
            logits = aux(pooled)
            o = [scenes[idx[k]]['objects'][0] for k in aux_rows]
            place_t = torch.tensor([world.PLACES.index(x['place']) for x in o])
            colour_t = torch.tensor([world.COLOURS.index(x['colour']) for x in o])
            loss = loss + a.aux_text * (F.cross_entropy(logits[:, :9], place_t) + F.cross_entropy(logits[:, 9:], colour_t))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        ema.update(step)
        run = loss.item() if step == start else 0.98 * run + 0.02 * loss.item()
        if deadline and step == start + 100:
            # Fit the step count to the time left once, during warm-up (the cosine does not depend
            # on it yet), so `--unet-steps N` with the logged N reproduces the run exactly.
            per_step = (time.time() - t_start) / 101
            steps = min(steps, step + 1 + int((deadline - time.time() - 120) / per_step))
            log(f'deadline {a.deadline}: training {steps} steps in all (reproduce with --unet-steps {steps})')
        if step % 50 == 0:
            log(f'unet step {step} loss {run:.4f} lr {lr_at(step):.2e} {(time.time() - t0) / (step - start + 1):.2f}s/step')
        if step % 250 == 249 or step == steps - 1:
            save(step)
        if step % 750 == 749:
            evaluate(ema.shadow[0], ema.shadow[1], scale, 16, a.seed + 100 + step)
        if (deadline and time.time() > deadline) or step + 1 == a.unet_stop_at:
            # --unet-stop-at S with the same --unet-steps replays a run the deadline cut short
            log(f'stopped after step {step} (reproduce with --unet-steps {steps} --unet-stop-at {step + 1})')
            save(step)
            break
        step += 1
    evaluate(ema.shadow[0], ema.shadow[1], scale, 32, a.seed + 99)


@torch.no_grad()
def sample(text, unet, dec, scale, prompts, seed, steps=20, guidance=5.0):
    """DDIM (eta 0, leading spacing + offset 1, as the engine runs it) with classifier-free guidance."""
    tok = _tokenizer()
    g = torch.Generator().manual_seed(seed)
    n = len(prompts)
    ctx = text(tokenize(tok, [''] * n + list(prompts)))[0]
    x = torch.randn(n, 4, 16, 16, generator=g)
    ts = list(range(0, 1000, 1000 // steps))[::-1]
    ts = [t + 1 for t in ts]
    for i, t in enumerate(ts):
        e = unet(torch.cat([x, x]), torch.full((2 * n,), float(t)), ctx)
        eu, ec = e[:n], e[n:]
        e = eu + guidance * (ec - eu)
        ab = ALPHAS_CUMPROD[t]
        abp = ALPHAS_CUMPROD[ts[i + 1]] if i + 1 < len(ts) else ALPHAS_CUMPROD[0]
        x0 = (x - (1 - ab).sqrt() * e) / ab.sqrt()
        x = abp.sqrt() * x0 + (1 - abp).sqrt() * e
    img = dec(x / scale).clamp(-1, 1)
    return ((img + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()


def evaluate(text, unet, scale, n, seed):
    from quick_analyse import analyse
    _, dec = load_vae()
    rng = random.Random(seed)
    scenes = [world.random_scene(rng, two_rate=0.0) for _ in range(n)]
    prompts = [world.describe(s, rng) for s in scenes]
    imgs = np.concatenate([sample(text, unet, dec, scale, prompts[i:i + 16], seed + i) for i in range(0, n, 16)])
    ok_c = ok_p = ok_s = 0
    for s, im in zip(scenes, imgs):
        r = analyse(im)
        o = s['objects'][0]
        ok_c += r['colour'] == o['colour']
        ok_p += r['place'] == o['place']
        ok_s += r['size'] == o['size']
    log(f'eval {n} prompts: colour {ok_c / n:.2f} place {ok_p / n:.2f} size {ok_s / n:.2f}')
    from PIL import Image
    sheet = Image.new('RGB', (128 * 8, 128 * 2))
    for i in range(min(16, n)):
        sheet.paste(Image.fromarray(imgs[i]), ((i % 8) * 128, (i // 8) * 128))
    sheet.save(os.path.join(WORK, 'eval.png'))
    with open(os.path.join(WORK, 'eval.txt'), 'w') as f:
        f.write('\n'.join(prompts[:16]) + '\n')


def export_model(a):
    import sdlayout as L
    ck = torch.load(os.path.join(WORK, 'unet.pt'))
    text, unet = make_text(), make_unet()
    text.load_state_dict(ck['ema_text'])
    unet.load_state_dict(ck['ema_unet'])
    enc, dec = load_vae()
    scale = ck['scaling_factor']
    if os.path.isdir(MODEL_DIR):
        import shutil
        shutil.rmtree(MODEL_DIR)
    os.makedirs(MODEL_DIR)
    rec = {'steps': a.rec_steps, 'guidance': a.rec_guidance, 'scheduler': a.rec_scheduler}
    L.write_json(os.path.join(MODEL_DIR, 'model_index.json'), L.sd15_model_index({
        'scheduler': ['diffusers', 'DDIMScheduler'],
        '_atelier': {'label': 'Demo · shapes, 128 px', 'recommended': rec, 'size': [128, 128],
                     'trainedSteps': ck['step'] + 1, 'scheduledSteps': ck.get('scheduled_steps') or a.unet_steps, 'recipe': 'native-models/recipes/train_demo.py', 'seed': a.seed}}))
    L.write_tokenizer(os.path.join(MODEL_DIR, 'tokenizer'))
    L.write_json(os.path.join(MODEL_DIR, 'scheduler', 'scheduler_config.json'), {
        '_class_name': 'DDIMScheduler', '_diffusers_version': '0.19.0', **L.SD_BETAS, 'clip_sample': False,
        'prediction_type': 'epsilon', 'set_alpha_to_one': False, 'steps_offset': 1, 'timestep_spacing': 'leading'})
    L.export_text_encoder(text, os.path.join(MODEL_DIR, 'text_encoder'))
    L.export_unet(unet, os.path.join(MODEL_DIR, 'unet'), TEXT_DIM, 16, torch.tensor([999.0]))
    L.export_vae(enc, dec, MODEL_DIR, round(scale, 5), 128, 'mean')
    log(f'exported to {MODEL_DIR}')


def stage(name, a):
    os.makedirs(WORK, exist_ok=True)
    # One thread by default: on a shared, oversubscribed CPU two threads that must meet at every
    # op's barrier ran ~20x slower than one (measured 9.7 vs 0.5 s per VAE step).
    torch.set_num_threads(a.threads)
    globals()[{'vae': 'train_vae', 'latents': 'encode_latents', 'unet': 'train_unet', 'export': 'export_model'}[name]](a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('stage', choices=['all', 'vae', 'latents', 'unet', 'export'])
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--vae-steps', type=int, default=1000)
    ap.add_argument('--vae-lr', type=float, default=2e-3)
    ap.add_argument('--vae-crop', type=int, default=48)
    ap.add_argument('--vae-batch', type=int, default=16)
    ap.add_argument('--vae-posterior', action='store_true', help='decode posterior samples (how the first VAE pass ran)')
    ap.add_argument('--scenes', type=int, default=12000)
    ap.add_argument('--unet-steps', type=int, default=3000)
    ap.add_argument('--unet-stop-at', type=int, default=0, help='stop after this many steps (replays a cut-short run)')
    ap.add_argument('--batch', type=int, default=48)
    ap.add_argument('--lr', type=float, default=5e-4)
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--coords', action=argparse.BooleanOptionalAction, default=True, help='UNet coordinate channels')
    ap.add_argument('--init-from', help='UNet stage: start from this no-coords checkpoint')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--aux-text', type=float, default=0.0, help='weight of the place/colour text probe loss')
    ap.add_argument('--snr-floor', type=float, default=0.0, help='lower clamp of the min-SNR weight (see train_unet)')
    ap.add_argument('--deadline', help='HH:MM local time: stop the UNet stage there (checkpoint kept)')
    ap.add_argument('--rec-steps', type=int, default=20)
    ap.add_argument('--rec-guidance', type=float, default=5.0)
    ap.add_argument('--rec-scheduler', default='ddim')
    a = ap.parse_args()
    for s in (['vae', 'latents', 'unet', 'export'] if a.stage == 'all' else [a.stage]):
        stage(s, a)


if __name__ == '__main__':
    main()
