"""Appendix J's rank-one matrix factorisation, f_i(x) = 1/4 ||x x' - g_i g_i'||_F^2 (159), certified on a ball.

These tasks are quartic: their gradient is not globally Lipschitz and their
Hessian not globally Lipschitz-continuous, so Assumptions 4.3-4.4 hold only on
bounded sets.  The family therefore certifies L and rho on a ball
||x - c|| <= R, and ``reach_domain`` gives the larger ball that the inner step
x - alpha grad f_i(x) (4) and the finite-difference points x +- delta v of (11)
can reach from it, on which a check must certify the constants the proofs use
at those points (``family.with_domain(family.reach_domain(...))``).

With R' := ||c|| + R = sup ||x|| over the ball and n = ||x||:

    grad f_i(x)   = (x x' - g g') x = n^2 x - (g'x) g
    grad^2 f_i(x) = n^2 I + 2 x x' - g g'
    D^3 f_i(x)[v] = 2 (x'v) I + 2 (v x' + x v')

* L: the largest eigenvalue of the Hessian is at most 3 n^2 (since -g g' <= 0) and
  the smallest at least n^2 - ||g||^2 >= -||g||^2, so
  L = max(3 R'^2, max_i ||g_i||^2).  Exact when c = 0 and d >= 2 (3R^2 is attained
  at ||x|| = R, x orthogonal to g_i; ||g_i||^2 at x = 0).
* rho: the matrix D^3 f(x)[v] has eigenvalues 2(x'v) (on the complement of
  span{x, v}) and 4(x'v) +- 2||x|| ||v||, so sup_{||v||=1} ||D^3 f(x)[v]|| = 6||x||
  (v = x/||x||) and, the ball being convex, rho = 6 R'.  Exact when c = 0.
* sigma: grad f_i(x) - grad f(x) = -(G_i - Gbar) x with G_i = g_i g_i', so
  sigma^2 = sup_x x'Px, P = E_i (G_i - Gbar)^2: the trust-region maximum (exact).
* sigma~ = sigma_H = 0: exact oracles; Appendix J adds Gaussian noise, which is
  ``NoisyFamily(RankOneFamily(...), sigma_tilde)``.
"""
from __future__ import annotations

import numpy as np

from verify.model.errors import ParameterError, check_count, check_finite, check_positive
from ._ball import max_convex_quadratic_on_ball, max_convex_quadratic_on_ball_in_span
from .base import Constant, Constants, Domain, Family

__all__ = ["RankOneFamily"]


class RankOneFamily(Family):
    """Tasks f_i(x) = 1/4 ||x x' - g_i g_i'||_F^2 with the vectors g_i (n, d), certified on ``domain`` (a ball)."""

    name = "rank-one"

    def __init__(self, g, domain: Domain, probabilities=None):
        g = check_finite("g", g, ndim=(2,))
        if not isinstance(domain, Domain) or domain.is_global:
            raise ParameterError("domain", "the rank-one tasks (159) are smooth only on bounded sets: give a ball")
        self.g = g
        super().__init__(g.shape[1], np.full(g.shape[0], 1.0 / g.shape[0]) if probabilities is None
                         else probabilities, domain)

    @classmethod
    def random(cls, rng: np.random.Generator, n_tasks: int, dim: int, *, radius: float = 1.5,
               mean_scale: float = 1.0, task_std: float = 0.3, probabilities=None):
        """g_i = m + task_std * N(0, I) with a common m of norm ``mean_scale``: task_std sets sigma (Appendix J)."""
        n_tasks, dim = check_count("n_tasks", n_tasks), check_count("dim", dim)
        radius = check_positive("radius", radius)
        m = rng.standard_normal(dim)
        m *= mean_scale / np.linalg.norm(m)
        g = m + task_std * rng.standard_normal((n_tasks, dim))
        return cls(g, Domain.ball(radius), probabilities)

    # ------------------------------------------------------------------ oracles
    def _loss(self, W, tasks):
        g = self._per_task("g", tasks)
        n2 = np.einsum("ti,ti->t", W, W)
        gx = np.einsum("ti,ti->t", g, W)
        g2 = np.einsum("ti,ti->t", g, g)
        # ||x x' - g g'||_F^2 = ||x||^4 - 2 (g'x)^2 + ||g||^4
        return 0.25 * (n2 * n2 - 2 * gx * gx + g2 * g2)

    def _gradient(self, W, tasks):
        g = self._per_task("g", tasks)
        return np.einsum("ti,ti->t", W, W)[:, None] * W - np.einsum("ti,ti->t", g, W)[:, None] * g

    def _hessian(self, W, tasks):
        g = self._per_task("g", tasks)
        n2 = np.einsum("ti,ti->t", W, W)
        return (n2[:, None, None] * np.eye(self.dim) + 2 * np.einsum("ti,tj->tij", W, W)
                - np.einsum("ti,tj->tij", g, g))

    def _hvp(self, W, V, tasks):
        g = self._per_task("g", tasks)
        return (np.einsum("ti,ti->t", W, W)[:, None] * V + 2 * np.einsum("ti,ti->t", W, V)[:, None] * W
                - np.einsum("ti,ti->t", g, V)[:, None] * g)

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        if domain.is_global:
            raise ParameterError("domain", "L and rho of the rank-one tasks are infinite on R^d: give a ball")
        c = domain.centre_in(self.dim)
        R = domain.max_norm
        at_origin = not np.any(c)
        g2max = float(np.max(np.einsum("ti,ti->t", self.g, self.g)))
        sig2 = float(self._task_variance_sup(c, domain.radius))
        zero = Domain.everywhere()
        return Constants(
            L=Constant(max(3 * R * R, g2max), domain, at_origin and self.dim >= 2,
                       "max(3 R'^2, max_i ||g_i||^2): Hessian eigenvalues lie in [n^2 - ||g||^2, 3 n^2], n <= R'"),
            rho=Constant(6 * R, domain, at_origin, "6 R': sup_{||v||=1} ||2(x'v)I + 2(vx' + xv')|| = 6||x||"),
            sigma=Constant(np.sqrt(sig2), domain, True, "sqrt of max over the ball of x' E_i(G_i - Gbar)^2 x"),
            sigma_tilde=Constant(0.0, zero, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, zero, True, "exact oracles: no per-sample noise"),
        )

    def _task_variance_sup(self, c, radius) -> float:
        """sup over the ball of x' P x, P = E_i (G_i - Gbar)^2, G_i = g_i g_i'.

        P has rank at most n: with Y = diag(sqrt p) [g_i'] (n x d), Gbar = Y'Y and
        E_i G_i^2 = E_i ||g_i||^2 g_i g_i', so P = Y' (diag ||g_i||^2 - Y Y') Y, whose spectrum is
        that of an n x n matrix (O(n^2 d)).  With n >= d the d x d form is the cheaper.
        """
        n, d = self.g.shape
        p = self.probabilities
        if n >= d:
            G = np.einsum("ti,tj->tij", self.g, self.g)
            Gbar = np.einsum("t,tij->ij", p, G)
            dG = G - Gbar
            P = np.einsum("t,tij,tjk->ik", p, dG, dG)
            return max_convex_quadratic_on_ball(P, np.zeros(d), 0.0, c, radius)
        Y = np.sqrt(p)[:, None] * self.g
        M = np.diag(np.einsum("ti,ti->t", self.g, self.g)) - Y @ Y.T
        U, R = np.linalg.qr(Y.T)  # Y' = U R, U (d, n) orthonormal
        return max_convex_quadratic_on_ball_in_span(U, R @ M @ R.T, np.zeros(d), 0.0, c, radius)

    def gradient_bound(self, domain: Domain | None = None) -> float:
        """sup over the ball of ||grad f_i(x)||: at most R'^3 + max_i ||g_i||^2 R' (triangle inequality)."""
        R = (self.domain if domain is None else domain).max_norm
        return R ** 3 + float(np.max(np.einsum("ti,ti->t", self.g, self.g))) * R

    def reach_domain(self, alpha, fd_displacement: float = 0.0) -> Domain:
        """A ball containing every point the algorithms evaluate from a point of ``self.domain``.

        The exact inner step x - alpha grad f_i(x) (4) moves at most alpha * sup||grad f_i||;
        the finite-difference points (11) move a further ``fd_displacement`` = delta ||v||
        (with the rule of Theorem 4.17 this is 1/(6 rho alpha), independent of v).
        Stochastic inner steps with unbounded (Gaussian) noise can leave any ball;
        a check must then record that the point left the certified domain.
        """
        alpha = check_positive("alpha", alpha, allow_zero=True)
        fd = check_positive("fd_displacement", fd_displacement, allow_zero=True)
        return self.domain.enlarged(alpha * self.gradient_bound() + fd)
