"""Sinusoid regression (Finn et al., 2017) with a small smooth network: the worked example of a real network.

A task is a sine wave y = a sin(x - phi), amplitude a uniform in [0.1, 5], phase phi uniform in
[0, pi]; its data are N points x uniform in [-5, 5] with their y, and its loss is the squared
error of a multilayer perceptron with tanh units (smooth: ReLU has no Hessian) averaged over
those points.  Through ``JaxFamily`` (the ``jax`` extra) the oracles are exact and the
constants are estimated on a ball around the network's initialisation.

    pytest verify --family verify.model.families.sinusoid:small    the size CI runs (a few dozen parameters)
    pytest verify --family verify.model.families.sinusoid:full     two hidden layers of 40: 1761 parameters
"""
from __future__ import annotations

import numpy as np

from verify.model.errors import ParameterError
from .base import Domain
from .jax_family import JaxFamily

__all__ = ["AMPLITUDE", "PHASE", "X_RANGE", "full", "mlp_size", "sinusoid_family", "small"]

AMPLITUDE = (0.1, 5.0)
PHASE = (0.0, np.pi)
X_RANGE = (-5.0, 5.0)


def mlp_size(hidden: tuple[int, ...]) -> int:
    """Parameters of the 1 -> hidden -> 1 perceptron (weights and biases)."""
    sizes = (1, *hidden, 1)
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def _initial_weights(hidden: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Glorot-scaled weights, zero biases, flattened layer by layer (weights then biases)."""
    sizes = (1, *hidden, 1)
    parts = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        parts.append(rng.normal(scale=np.sqrt(2.0 / (a + b)), size=a * b))
        parts.append(np.zeros(b))
    return np.concatenate(parts)


def sinusoid_family(n_tasks: int = 10, samples: int = 10, hidden: tuple[int, ...] = (40, 40), radius: float = 1.0,
                    seed: int = 0, constants_budget: str = "quick") -> JaxFamily:
    """``n_tasks`` sine waves with ``samples`` points each, a tanh perceptron with layers ``hidden``, constants
    estimated on the ball of ``radius`` around its initialisation (both drawn from ``seed``)."""
    import jax.numpy as jnp

    for name, value in (("n_tasks", n_tasks), ("samples", samples), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < (0 if name == "seed" else 1):
            raise ParameterError(name, f"must be a {'nonnegative' if name == 'seed' else 'positive'} integer, "
                                       f"got {value!r}")
    hidden = tuple(int(h) for h in hidden)
    if not hidden or min(hidden) < 1:
        raise ParameterError("hidden", f"give one or more positive layer widths, got {hidden!r}")
    rng = np.random.default_rng(seed)
    a = rng.uniform(*AMPLITUDE, size=n_tasks)
    phi = rng.uniform(*PHASE, size=n_tasks)
    x = rng.uniform(*X_RANGE, size=(n_tasks, samples))
    y = a[:, None] * np.sin(x - phi[:, None])
    sizes = (1, *hidden, 1)
    w_init = _initial_weights(hidden, rng)

    def predict(w, x1):
        h = jnp.reshape(x1, (1,))
        at = 0
        for k, (m, p) in enumerate(zip(sizes[:-1], sizes[1:])):
            W = jnp.reshape(w[at:at + m * p], (m, p))
            b = w[at + m * p: at + m * p + p]
            at += m * p + p
            h = h @ W + b
            if k < len(sizes) - 2:
                h = jnp.tanh(h)
        return h[0]

    def loss(w, sample):
        x1, y1 = sample
        return 0.5 * (predict(w, x1) - y1) ** 2

    fam = JaxFamily(loss, (x, y), mlp_size(hidden), domain=Domain.ball(radius, w_init), name="sinusoid",
                    constants_budget=constants_budget, constants_seed=seed, loss_floor=0.0)
    fam.amplitudes, fam.phases, fam.initial_weights = a, phi, w_init
    return fam


def small() -> JaxFamily:
    """The size CI runs: 6 tasks of 8 points, one hidden layer of 6 tanh units (19 parameters)."""
    return sinusoid_family(n_tasks=6, samples=8, hidden=(6,), radius=1.0, seed=0)


def full() -> JaxFamily:
    """The worked example at full size: 10 tasks of 10 points, two hidden layers of 40 (1761 parameters)."""
    return sinusoid_family(n_tasks=10, samples=10, hidden=(40, 40), radius=1.0, seed=0)
