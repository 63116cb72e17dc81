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
    One eigendecomposition per matrix P (none for a P that is exactly 0, nor on R^d).
    """
    P = np.asarray(P, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    c = np.asarray(centre, dtype=np.float64)
    q = np.einsum("...ij,j->...i", P, c) + r
    const = np.einsum("j,...ij,i->...", c, P, c) + 2 * np.einsum("...i,i->...", r, c) + s
    if math.isinf(radius):
        # Only the largest |eigenvalue| decides: no eigenvectors are needed.
        mu = _eigenvalues(P)
        return _on_ball(mu, None, q, r, const, radius)
    mu, V = _eigh(P)
    qt = np.einsum("...ji,...j->...i", V, q)
    return _on_ball(mu, qt, q, r, const, radius)


def max_convex_quadratic_on_ball_in_span(U, B, r, s, centre, radius: float) -> np.ndarray:
    """``max_convex_quadratic_on_ball`` for P = U B U' of rank at most k < d, in O(k^2 d) instead of O(d^3).

    U: (..., d, k) with orthonormal columns; B: (..., k, k) symmetric (P positive semidefinite).
    The eigenvectors of P are U W (B = W diag(mu) W') and any basis of the complement of
    span U, where P has the eigenvalue 0: the dual g(lambda) depends on the complement only
    through ||q_perp||^2 / lambda (q_perp the part of q outside span U), one pseudo-eigenvector
    of eigenvalue 0 and weight ||q_perp||.  The same certified bound, without the d x d matrix.
    """
    U = np.asarray(U, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    c = np.asarray(centre, dtype=np.float64)
    d, k = U.shape[-2:]
    if k >= d:
        return max_convex_quadratic_on_ball(U @ B @ np.swapaxes(U, -1, -2), r, s, c, radius)
    Uc = np.einsum("...ji,j->...i", U, c)  # U'c
    BUc = np.einsum("...ij,...j->...i", B, Uc)
    q = np.einsum("...ij,...j->...i", U, BUc) + r  # P c + r
    const = np.einsum("...i,...i->...", Uc, BUc) + 2 * np.einsum("...i,i->...", r, c) + s
    mu_k, W = _eigh(B)
    Vk = U @ W
    qt_k = np.einsum("...ji,...j->...i", Vk, q)
    q_perp = q - np.einsum("...ij,...j->...i", Vk, qt_k)
    mu = np.concatenate([np.zeros(mu_k.shape[:-1] + (1,)), mu_k], axis=-1)  # eigh's order: ascending
    qt = np.concatenate([np.linalg.norm(q_perp, axis=-1)[..., None], qt_k], axis=-1)
    if math.isinf(radius):
        return _on_ball(np.sort(mu, axis=-1), None, q, r, const, radius)
    order = np.argsort(mu, axis=-1, kind="stable")
    return _on_ball(np.take_along_axis(mu, order, -1), np.take_along_axis(qt, order, -1), q, r, const, radius)


def _eigh(P):
    """eigh, skipping matrices that are exactly 0 (eigenvalues 0, eigenvectors the identity)."""
    zero = ~np.any(P != 0, axis=(-2, -1))
    if not np.any(zero):
        return np.linalg.eigh(P)
    mu = np.zeros(P.shape[:-1])
    V = np.broadcast_to(np.eye(P.shape[-1]), P.shape).copy()
    live = ~zero
    if np.any(live):
        mu[live], V[live] = np.linalg.eigh(P[live])
    return mu, V


def _eigenvalues(P):
    zero = ~np.any(P != 0, axis=(-2, -1))
    mu = np.zeros(P.shape[:-1])
    if np.any(~zero):
        mu[~zero] = np.linalg.eigvalsh(P[~zero])
    return mu


def _on_ball(mu, qt, q, r, const, radius):
    """The certified trust-region bound from P's eigenvalues ``mu`` (ascending) and q in its eigenbasis ``qt``."""
    scale = np.maximum(np.abs(mu).max(axis=-1), 1e-300)
    if math.isinf(radius):
        flat = (np.abs(mu).max(axis=-1) <= 1e-14 * np.maximum(scale, 1.0)) & (
            np.linalg.norm(q, axis=-1) <= 1e-14 * np.maximum(np.linalg.norm(r, axis=-1), 1.0))
        return np.where(flat, const, np.inf)
    R2 = radius * radius
    top = mu[..., -1]
    qnorm = np.linalg.norm(qt, axis=-1)

    qt2 = qt * qt

    def dual(lam):
        gap = lam[..., None] - mu
        return lam * R2 + np.sum(qt2 / gap, axis=-1)

    def slope(lam):
        gap = lam[..., None] - mu
        return R2 - np.sum(qt2 / (gap * gap), axis=-1)

    # g is convex on (top, inf); its minimiser solves slope = 0 and lies below top + ||q||/R,
    # where every gap is at least ||q||/R so that slope >= 0.
    tiny = 1e-13 * np.maximum(scale, 1.0)
    lo = top + tiny
    hi = top + np.maximum(qnorm / radius, tiny) + tiny
    for step in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        neg = slope(mid) < 0
        new_lo = np.where(neg, mid, lo)
        new_hi = np.where(neg, hi, mid)
        # Once no bracket moves, mid, and so every later step, is the same: the remaining steps
        # would change nothing, so stopping there gives the 200-step result exactly (the bracket
        # reaches adjacent floats after some 60 steps; checked every 8 to keep the loop lean).
        if step % 8 == 7 and np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
            break
        lo, hi = new_lo, new_hi
    value = np.minimum(dual(hi), dual(np.maximum(lo, top + tiny)))
    bound = const + value
    return bound + _ROUNDING_MARGIN * np.abs(bound)
