"""The diffusers schedulers the reference cases use, as objects with diffusers' interface
(timesteps, init_noise_sigma, scale_model_input, step, add_noise), float64 NumPy.

Timestep/sigma tables come from the NumPy transcription the scheduler tests already use
(electron/core/engine/schedulers/fixtures/diffusers_reference.py); the per-step maths is written out
here again from diffusers' EulerDiscreteScheduler, EulerAncestralDiscreteScheduler, DDIMScheduler
(eta = 0, s_churn = 0) and DPMSolverMultistepScheduler (dpmsolver++, order 2)."""
import contextlib
import importlib.util
import io
import math
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
CLASS_SPACING = {'euler': 'linspace', 'euler-a': 'linspace', 'ddim': 'leading', 'dpmpp-2m': 'linspace',
                 'dpmpp-2m-karras': 'linspace'}


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


class DpmSolver2M:
    """DPMSolverMultistepScheduler: dpmsolver++, order 2, midpoint, lower_order_final (first and, below
    15 steps, last step first-order), final sigma 0; Karras sigmas when asked."""

    def __init__(self, cfg, steps, karras):
        ts, sig = TABLES.dpm_set(cfg, steps, karras)
        self.timesteps = [float(t) for t in ts]
        self.sigmas = [float(v) for v in sig]
        self.init_noise_sigma = 1.0
        self.prev_x0 = None

    def scale_model_input(self, x, i):
        return x

    @staticmethod
    def _alpha_sigma(s):
        a = 1.0 / (s * s + 1) ** 0.5
        return a, s * a

    def step(self, eps, i, x, randn):
        a_s, s_s = self._alpha_sigma(self.sigmas[i])
        a_t, s_t = self._alpha_sigma(self.sigmas[i + 1])
        x0 = (x - s_s * eps) / a_s
        lower = self.prev_x0 is None or (i == len(self.timesteps) - 1 and len(self.timesteps) < 15)
        if s_t == 0:
            out = x0
        else:
            lam_t, lam_s = math.log(a_t) - math.log(s_t), math.log(a_s) - math.log(s_s)
            h = lam_t - lam_s
            out = (s_t / s_s) * x - a_t * (math.exp(-h) - 1.0) * x0
            if not lower:
                a_1, s_1 = self._alpha_sigma(self.sigmas[i - 1])
                r0 = (lam_s - (math.log(a_1) - math.log(s_1))) / h
                out = out - 0.5 * a_t * (math.exp(-h) - 1.0) * (x0 - self.prev_x0) / r0
        self.prev_x0 = x0
        return out

    def add_noise(self, x0, noise, i):
        a, s = self._alpha_sigma(self.sigmas[i])
        return a * x0 + s * noise


def make(name, model_config, steps):
    cfg = config_for(name, model_config)
    if name in ('euler', 'euler-a'):
        return Euler(cfg, steps, name == 'euler-a')
    if name == 'ddim':
        return Ddim(cfg, steps)
    if name in ('dpmpp-2m', 'dpmpp-2m-karras'):
        return DpmSolver2M(cfg, steps, name == 'dpmpp-2m-karras')
    raise SystemExit(f'no reference sampler for {name}')
