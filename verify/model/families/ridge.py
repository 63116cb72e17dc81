"""Ridge tasks with piecewise-linear Hessian profiles: Hessians that change as fast as rho allows, with exact L and rho.

Task i lives in its own orthonormal basis Q_i (z = Q_i'w, coordinates z_j):

    f_i(w) = sum_j phi_ij(z_j) + b_i'w + c_i,    phi_ij(0) = phi_ij'(0) = 0,

where the curvature profile h_ij := phi_ij'' is piecewise linear: it interpolates the
values H_ij[k] at the knots X_ij[k] (increasing in k) and is constant outside
[X_ij[0], X_ij[-1]].  This is the class where the equality cases of the proofs live:
a kink of the Hessian (h(t) = rho |t| near 0, the Hessian of rho |t|^3 / 6, clipped at
L) makes the finite difference (9) exactly half its bound, and a ramp of the Hessian
from -L to +L at slope rho puts the curvatures -L at w and +L at the inner point
w - alpha grad f_i(w) (the configuration that makes F more curved than f, Corollary A.1).

Oracles (closed form).  With ramps r_k(t) = clip(t, X[k], X[k+1]) - X[k] and slopes
m_k = (H[k+1] - H[k]) / (X[k+1] - X[k]),

    h(t)       = H[0] + sum_k m_k r_k(t),
    phi'(t)    = H[0] t + sum_k m_k (P1(t; X[k]) - P1(t; X[k+1])),  P1(t; x) = int_0^t (s - x)_+ ds,
    phi(t)     = H[0] t^2/2 + sum_k m_k (P2(t; X[k]) - P2(t; X[k+1])), P2(t; x) = int_0^t P1(s; x) ds,

    grad f_i(w) = Q_i phi_i'(z) + b_i,  grad^2 f_i(w) = Q_i diag(h_i(z)) Q_i'.

Constants (all global and the suprema themselves, except sigma):

* L = max_ijk |H_ij[k]|: the Hessian is Q_i diag(h_ij(z_j)) Q_i', whose norm is
  max_j |h_ij(z_j)|; each h_ij attains its extreme values at knots, and the
  coordinates z_j are independent, so the supremum max |H| is attained.
* rho = max_ijk |m_ijk|: ||grad^2 f_i(w) - grad^2 f_i(u)|| = max_j |h_ij(z_j) - h_ij(z'_j)|
  <= max |m| |z_j - z'_j| <= max |m| ||w - u||, with equality for w, u inside the
  steepest segment along Q_i e_j.
* sigma (a certified upper bound on a ball of largest norm R'): write
  grad f_i(w) = A_i w + b_i + r_i(w), A_i = Q_i diag(h_i(0)) Q_i'.  Then
  |r_ij(z)| = |int_0^z (h_ij - h_ij(0))| <= D_ij |z_j| with D_ij = max_k |H_ij[k] - h_ij(0)|,
  so ||r_i(w)|| <= D_i ||w|| <= D_i R' (D_i = max_j D_ij), and by Minkowski in L2(p)
  sigma <= sqrt(trust-region max of the affine part's variance) + sqrt(E_i D_i^2) R'.
  Infinite on R^d unless every profile is constant and all A_i coincide.
* sigma~ = sigma_H = 0: exact oracles.
"""
from __future__ import annotations

import numpy as np

from verify.model.errors import ParameterError, check_count, check_finite, check_positive
from ._ball import max_convex_quadratic_on_ball
from .base import Constant, Constants, Domain, Family
from .quadratic import task_variance_quadratic

__all__ = ["RidgeFamily", "kink_profile"]


def kink_profile(rho: float, L: float) -> tuple[np.ndarray, np.ndarray]:
    """Knots and values of h(t) = min(rho |t|, L): the Hessian of rho |t|^3 / 6 clipped at L (a kink at 0)."""
    rho, L = check_positive("rho", rho), check_positive("L", L)
    t = L / rho
    return np.array([-t, 0.0, t]), np.array([L, 0.0, L])


def _p1(t, x):
    return 0.5 * (np.maximum(t - x, 0.0) ** 2 - np.maximum(-x, 0.0) ** 2)


def _p2(t, x):
    return (np.maximum(t - x, 0.0) ** 3 - np.maximum(-x, 0.0) ** 3) / 6.0 - 0.5 * t * np.maximum(-x, 0.0) ** 2


class RidgeFamily(Family):
    """Tasks sum_j phi_ij(z_j) + b_i'w + c_i, z = Q_i'w, with piecewise-linear curvature profiles phi_ij''."""

    name = "ridge"

    def __init__(self, Q, X, H, b, c=None, probabilities=None, domain: Domain | None = None):
        Q = check_finite("Q", Q, ndim=(3,))
        n, d, _ = Q.shape
        if Q.shape != (n, d, d) or not np.allclose(np.einsum("tji,tjk->tik", Q, Q), np.eye(d), atol=1e-10):
            raise ParameterError("Q", "each Q_i must be an orthogonal d x d matrix")
        X = check_finite("X", X, ndim=(3,))
        H = check_finite("H", H, ndim=(3,))
        if X.shape[:2] != (n, d) or H.shape != X.shape or X.shape[2] < 1:
            raise ParameterError("X", f"knots X and values H must both have shape (n, d, K) = ({n}, {d}, K), "
                                      f"got {X.shape} and {H.shape}")
        if X.shape[2] > 1 and np.any(np.diff(X, axis=2) <= 0):
            raise ParameterError("X", "the knots of each curvature profile must be strictly increasing")
        self.Q, self.X, self.H = Q, X, H
        self.b = check_finite("b", b, ndim=(2,))
        if self.b.shape != (n, d):
            raise ParameterError("b", f"has shape {self.b.shape}, expected {(n, d)}")
        self.c = np.zeros(n) if c is None else check_finite("c", c, ndim=(1,))
        if self.c.shape != (n,):
            raise ParameterError("c", f"has shape {self.c.shape}, expected {(n,)}")
        # Slopes of the segments (n, d, K-1): the third derivative where it exists.
        self.m = np.diff(H, axis=2) / np.diff(X, axis=2) if X.shape[2] > 1 else np.zeros((n, d, 0))
        super().__init__(d, np.full(n, 1.0 / n) if probabilities is None else probabilities,
                         Domain.everywhere() if domain is None else domain)

    @classmethod
    def random(cls, rng: np.random.Generator, n_tasks: int, dim: int, *, L: float = 1.0, rho: float = 1.0,
               knots: int = 4, spread: float = 1.0, probabilities=None, domain: Domain | None = None):
        """Random profiles: ``knots`` values in [-L, L] (one reaching +-L) at spacings that keep every slope <= rho."""
        n_tasks, dim, knots = check_count("n_tasks", n_tasks), check_count("dim", dim), check_count("knots", knots)
        L, rho = check_positive("L", L), check_positive("rho", rho)
        Q, _ = np.linalg.qr(rng.standard_normal((n_tasks, dim, dim)))
        H = L * (2 * rng.random((n_tasks, dim, knots)) - 1)
        H[0, 0, 0] = L if rng.random() < 0.5 else -L
        gaps = np.abs(np.diff(H, axis=2)) / rho  # the shortest spacing that keeps the slope at most rho
        X = np.concatenate([np.zeros((n_tasks, dim, 1)),
                            np.cumsum(gaps * (1.0 + rng.random(gaps.shape)) + 1e-3, axis=2)], axis=2)
        X -= X[:, :, -1:] * rng.random((n_tasks, dim, 1))
        if knots > 1:
            # The steepest segment of the first profile at slope exactly rho, so that rho is attained.
            k = int(np.argmax(np.abs(np.diff(H[0, 0]))))
            shift = X[0, 0, k] + abs(H[0, 0, k + 1] - H[0, 0, k]) / rho - X[0, 0, k + 1]
            X[0, 0, k + 1:] += shift
        b = rng.standard_normal(dim) + spread * rng.standard_normal((n_tasks, dim))
        return cls(Q, X, H, b, rng.standard_normal(n_tasks), probabilities, domain)

    # ------------------------------------------------------------------ profiles
    def _z(self, W, tasks):
        return np.einsum("tji,tj->ti", self._per_task("Q", tasks), W)

    def _profile(self, Z, tasks, order: int):
        """h (order 2), phi' (order 1) or phi (order 0) of every coordinate: Z (T, d) -> (T, d)."""
        X, H, m = self._per_task("X", tasks), self._per_task("H", tasks), self._per_task("m", tasks)
        t = Z[..., None]
        lo, hi = X[..., :-1], X[..., 1:]
        if order == 2:
            return H[..., 0] + np.sum(m * (np.clip(t, lo, hi) - lo), axis=-1)
        if order == 1:
            return H[..., 0] * Z + np.sum(m * (_p1(t, lo) - _p1(t, hi)), axis=-1)
        return 0.5 * H[..., 0] * Z * Z + np.sum(m * (_p2(t, lo) - _p2(t, hi)), axis=-1)

    # ------------------------------------------------------------------ oracles
    def _loss(self, W, tasks):
        Z = self._z(W, tasks)
        return (np.sum(self._profile(Z, tasks, 0), axis=1) + np.einsum("ti,ti->t", self._per_task("b", tasks), W)
                + self._per_task("c", tasks))

    def _gradient(self, W, tasks):
        Z = self._z(W, tasks)
        return (np.einsum("tij,tj->ti", self._per_task("Q", tasks), self._profile(Z, tasks, 1))
                + self._per_task("b", tasks))

    def _hessian(self, W, tasks):
        Q = self._per_task("Q", tasks)
        return np.einsum("tij,tj,tkj->tik", Q, self._profile(self._z(W, tasks), tasks, 2), Q)

    def _hvp(self, W, V, tasks):
        Q = self._per_task("Q", tasks)
        h = self._profile(self._z(W, tasks), tasks, 2)
        return np.einsum("tij,tj->ti", Q, h * np.einsum("tji,tj->ti", Q, V))

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        everywhere = Domain.everywhere()
        L = float(np.max(np.abs(self.H)))
        rho = float(np.max(np.abs(self.m))) if self.m.size else 0.0
        n = self.n_tasks
        h0 = self._profile(np.zeros((n, self.dim)), np.arange(n), 2)
        A = np.einsum("tij,tj,tkj->tik", self.Q, h0, self.Q)
        P, r, s0 = task_variance_quadratic(A, self.b, self.probabilities)
        affine = float(max_convex_quadratic_on_ball(P, r, s0, domain.centre_in(self.dim), domain.radius))
        D = np.max(np.abs(self.H - h0[..., None]), axis=(1, 2))
        if np.all(D == 0):
            sigma = np.sqrt(affine)
        else:
            sigma = np.sqrt(affine) + np.sqrt(float(self.probabilities @ D ** 2)) * domain.max_norm
        return Constants(
            L=Constant(L, everywhere, True, "max |H|: each profile attains its extreme values at knots"),
            rho=Constant(rho, everywhere, True, "max |slope| of the profiles, attained inside the steepest segment"),
            sigma=Constant(sigma, domain, bool(np.all(D == 0)),
                           "Minkowski: sqrt(trust-region max of the affine part's variance) + sqrt(E_i D_i^2) sup||w||"),
            sigma_tilde=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
        )
