"""The supremum of a convex quadratic over a ball: certifies sigma and sigma~ on a bounded domain.

For the task-variance (12) and sample-variance (13) of tasks whose gradients are
affine in w, the quantity to bound is q(w) = w'Pw + 2r'w + s with P positive
semidefinite.  Its maximum over ||w - c|| <= R is a trust-region problem; by
Lagrangian duality, for every lambda > lambda_max(P),

    max_{||z|| <= R} z'Pz + 2q'z  <=  g(lambda) := lambda R^2 + q'(lambda I - P)^{-1} q,

(z = w - c, q = Pc + r) and min_lambda g equals the maximum (the S-lemma: one
quadratic constraint, no duality gap).  Evaluating g at a numerically minimised
lambda therefore gives a *certified* upper bound that is also tight up to the
accuracy of the 1-d minimisation, with no trust in the minimiser needed.
"""
from __future__ import annotations

import math

import numpy as np

# g is evaluated at the bisection's lambda, so the bound is valid whatever the
# bisection's accuracy; this relative margin only covers rounding in g itself.
_ROUNDING_MARGIN = 1e-12
_BISECTION_STEPS = 200


def max_convex_quadratic_on_ball(P, r, s, centre, radius: float) -> np.ndarray:
    """max over ||w - centre|| <= radius of w'Pw + 2r'w + s, vectorised over a leading axis.

    P: (..., d, d) symmetric positive semidefinite; r: (..., d); s: (...).
    ``radius = inf`` gives inf unless P vanishes (then r must vanish too for a finite sup).
    """
    P = np.asarray(P, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    c = np.asarray(centre, dtype=np.float64)
    q = np.einsum("...ij,j->...i", P, c) + r
    const = np.einsum("j,...ij,i->...", c, P, c) + 2 * np.einsum("...i,i->...", r, c) + s
    mu, V = np.linalg.eigh(P)
    qt = np.einsum("...ji,...j->...i", V, q)
    scale = np.maximum(np.abs(mu).max(axis=-1), 1e-300)
    if math.isinf(radius):
        flat = (np.abs(mu).max(axis=-1) <= 1e-14 * np.maximum(scale, 1.0)) & (
            np.linalg.norm(q, axis=-1) <= 1e-14 * np.maximum(np.linalg.norm(r, axis=-1), 1.0))
        return np.where(flat, const, np.inf)
    R2 = radius * radius
    top = mu[..., -1]
    qnorm = np.linalg.norm(qt, axis=-1)

    def dual(lam):
        gap = lam[..., None] - mu
        return lam * R2 + np.sum(qt * qt / gap, axis=-1)

    def slope(lam):
        gap = lam[..., None] - mu
        return R2 - np.sum(qt * qt / (gap * gap), axis=-1)

    # g is convex on (top, inf); its minimiser solves slope = 0 and lies below top + ||q||/R,
    # where every gap is at least ||q||/R so that slope >= 0.
    tiny = 1e-13 * np.maximum(scale, 1.0)
    lo = top + tiny
    hi = top + np.maximum(qnorm / radius, tiny) + tiny
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        neg = slope(mid) < 0
        lo = np.where(neg, mid, lo)
        hi = np.where(neg, hi, mid)
    value = np.minimum(dual(hi), dual(np.maximum(lo, top + tiny)))
    bound = const + value
    return bound + _ROUNDING_MARGIN * np.abs(bound)
