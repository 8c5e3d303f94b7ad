"""The three diffusers schedulers the reference cases use, as objects with diffusers' interface
(timesteps, init_noise_sigma, scale_model_input, step, add_noise), float64 NumPy.

Timestep/sigma tables come from the NumPy transcription the scheduler tests already use
(electron/core/engine/schedulers/fixtures/diffusers_reference.py); the per-step maths is written out
here again from diffusers' EulerDiscreteScheduler, EulerAncestralDiscreteScheduler and DDIMScheduler
(eta = 0, s_churn = 0)."""
import contextlib
import importlib.util
import io
import os

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_REF = os.path.join(REPO, 'electron', 'core', 'engine', 'schedulers', 'fixtures', 'diffusers_reference.py')


def _load_tables():
    spec = importlib.util.spec_from_file_location('diffusers_reference', _REF)
    mod = importlib.util.module_from_spec(spec)
    # The module prints its own fixture JSON when run; keep that out of our output.
    with contextlib.redirect_stdout(io.StringIO()):
        spec.loader.exec_module(mod)
    return mod


TABLES = _load_tables()

# Each class's timestep_spacing default, used when scheduler_config.json does not name one
# (diffusers builds the sampler with from_config, so the class default applies).
CLASS_SPACING = {'euler': 'linspace', 'euler-a': 'linspace', 'ddim': 'leading'}


def config_for(name, model_config):
    cfg = {
        'num_train_timesteps': model_config.get('num_train_timesteps', 1000),
        'beta_start': model_config.get('beta_start', 0.0001),
        'beta_end': model_config.get('beta_end', 0.02),
        'beta_schedule': model_config.get('beta_schedule', 'linear'),
        'steps_offset': model_config.get('steps_offset', 0),
        'timestep_spacing': model_config.get('timestep_spacing') or CLASS_SPACING[name],
        'prediction_type': model_config.get('prediction_type', 'epsilon'),
        'set_alpha_to_one': model_config.get('set_alpha_to_one', True),
        'clip_sample': model_config.get('clip_sample', False),
    }
    if cfg['prediction_type'] != 'epsilon' or cfg['clip_sample']:
        raise SystemExit('the reference cases only cover epsilon prediction without clipping')
    return cfg


class Euler:
    """EulerDiscreteScheduler, or EulerAncestralDiscreteScheduler with ancestral=True."""

    def __init__(self, cfg, steps, ancestral):
        ts, sig, init = TABLES.euler_set(cfg, steps)
        self.timesteps = [float(t) for t in ts]
        self.sigmas = [float(s) for s in sig]
        self.init_noise_sigma = float(init)
        self.ancestral = ancestral

    def scale_model_input(self, x, i):
        return x / (self.sigmas[i] ** 2 + 1) ** 0.5

    def step(self, eps, i, x, randn):
        sigma, nxt = self.sigmas[i], self.sigmas[i + 1]
        x0 = x - sigma * eps
        derivative = (x - x0) / sigma
        if not self.ancestral:
            return x + derivative * (nxt - sigma)
        up = (nxt ** 2 * (sigma ** 2 - nxt ** 2) / sigma ** 2) ** 0.5
        down = (nxt ** 2 - up ** 2) ** 0.5
        x = x + derivative * (down - sigma)
        # diffusers draws this noise on every step; at the last one up = 0 and it changes nothing.
        return x + randn(x.size).reshape(x.shape) * up if up > 0 else x

    def add_noise(self, x0, noise, i):
        return x0 + noise * self.sigmas[i]


class Ddim:
    """DDIMScheduler, eta = 0."""

    def __init__(self, cfg, steps):
        self.timesteps = [int(t) for t in TABLES.ddim_set(cfg, steps)]
        self.ac = TABLES.alphas_cumprod_for(cfg)
        self.final = 1.0 if cfg['set_alpha_to_one'] else float(self.ac[0])
        self.ratio = cfg['num_train_timesteps'] // steps
        self.init_noise_sigma = 1.0

    def scale_model_input(self, x, i):
        return x

    def step(self, eps, i, x, randn):
        t = self.timesteps[i]
        prev = t - self.ratio
        a = self.ac[t]
        ap = self.ac[prev] if prev >= 0 else self.final
        x0 = (x - (1 - a) ** 0.5 * eps) / a ** 0.5
        return ap ** 0.5 * x0 + (1 - ap) ** 0.5 * eps

    def add_noise(self, x0, noise, i):
        a = self.ac[self.timesteps[i]]
        return a ** 0.5 * x0 + (1 - a) ** 0.5 * noise


def make(name, model_config, steps):
    cfg = config_for(name, model_config)
    if name in ('euler', 'euler-a'):
        return Euler(cfg, steps, name == 'euler-a')
    if name == 'ddim':
        return Ddim(cfg, steps)
    raise SystemExit(f'no reference sampler for {name}')
