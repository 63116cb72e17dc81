"""Data-driven tasks: K-shot linear regression with per-sample losses, so sigma~ and sigma_H are real sample variances.

Task i owns a data set of N samples theta = (x, y); its per-sample loss is
f_i(w, theta) = 1/2 (x'w - y)^2 and its loss is the expectation over its data
distribution, the uniform distribution on the N samples (Section 1,
"f_i(w) := E_theta[f_i(w, theta)]").  A batch D of size K (K-shot, Table 1)
draws K samples i.i.d. (with replacement), so grad~ f_i(w, D) and
grad~^2 f_i(w, D) are unbiased, exactly as the analysis assumes.  Because f_i is
the quadratic 1/2 w'A_i w + b_i'w + c_i with

    A_i = E[x x'],  b_i = -E[y x],  c_i = E[y^2]/2,

the family is a ``QuadraticFamily`` (so (156), (158) apply) whose stochastic
oracles are genuine per-sample averages, and F-hat (3) and grad F-hat (66) are
closed form.

Constants (all exact, spectral norms):

* L = max_i ||A_i||, rho = 0, sigma as for ``QuadraticFamily``.
* sigma~^2 = max_i sup_w E_theta ||g_theta(w) - grad f_i(w)||^2 where
  g_theta(w) - grad f_i(w) = (x x' - A_i) w + (-y x - b_i): a convex quadratic
  w'P_i w + 2 r_i'w + s_i (P_i = E (xx' - A_i)^2, r_i = E (xx' - A_i)(-yx - b_i),
  s_i = E ||yx + b_i||^2), unbounded on R^d unless every x x' equals A_i; on a ball it
  is the trust-region maximum, computed exactly (certified by duality).
* sigma_H^2 = max_i E_theta ||x x' - A_i||^2, independent of w: global and exact.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError, check_count, check_finite, check_positive
from ._ball import max_convex_quadratic_on_ball
from .base import Batch, Constant, Constants, Domain, spectral_norm
from .quadratic import QuadraticFamily

__all__ = ["RegressionFamily"]


class RegressionFamily(QuadraticFamily):
    """Linear-regression tasks with data X (n, N, d), y (n, N); per-sample loss 1/2 (x'w - y)^2."""

    name = "regression"
    is_deterministic = False

    def __init__(self, X, y, domain: Domain, probabilities=None):
        X = check_finite("X", X, ndim=(3,))
        y = check_finite("y", y, ndim=(2,))
        if y.shape != X.shape[:2]:
            raise ParameterError("y", f"has shape {y.shape}, expected {X.shape[:2]} (tasks, samples)")
        self.X, self.y = X, y
        N = X.shape[1]
        A = np.einsum("tnd,tne->tde", X, X) / N
        b = -np.einsum("tn,tnd->td", y, X) / N
        c = 0.5 * np.einsum("tn,tn->t", y, y) / N
        super().__init__(A, b, c, probabilities, domain)
        self.name = "regression"

    @classmethod
    def random(cls, rng: np.random.Generator, n_tasks: int, dim: int, *, samples: int = 40,
               noise: float = 0.5, spread: float = 0.5, radius: float = 3.0, probabilities=None):
        """Tasks y = x'w_i* + noise * N(0,1), x ~ N(0, I), w_i* = m + spread * N(0, I); ``samples`` per task."""
        n_tasks, dim = check_count("n_tasks", n_tasks), check_count("dim", dim)
        noise = check_positive("noise", noise, allow_zero=True)
        m = rng.standard_normal(dim)
        w_star = m + spread * rng.standard_normal((n_tasks, dim))
        X = rng.standard_normal((n_tasks, samples, dim))
        y = np.einsum("tnd,td->tn", X, w_star) + noise * rng.standard_normal((n_tasks, samples))
        return cls(X, y, Domain.ball(radius), probabilities)

    @property
    def samples_per_task(self) -> int:
        return int(self.X.shape[1])

    # ------------------------------------------------------------------ per-sample oracles
    def _draw_batch_data(self, tasks, size, rng):
        return rng.integers(0, self.samples_per_task, size=(len(tasks), size))

    def _batch_xy(self, batch: Batch):
        rows = batch.tasks[:, None]
        return self.X[rows, batch.data], self.y[rows, batch.data]

    def _batch_loss(self, W, batch):
        Xb, yb = self._batch_xy(batch)
        res = np.einsum("tkd,td->tk", Xb, W) - yb
        return 0.5 * np.mean(res * res, axis=1)

    def _batch_gradient(self, W, batch):
        Xb, yb = self._batch_xy(batch)
        res = np.einsum("tkd,td->tk", Xb, W) - yb
        return np.einsum("tk,tkd->td", res, Xb) / Xb.shape[1]

    def _batch_hessian(self, W, batch):
        Xb, _ = self._batch_xy(batch)
        return np.einsum("tkd,tke->tde", Xb, Xb) / Xb.shape[1]

    def _batch_hvp(self, W, V, batch):
        Xb, _ = self._batch_xy(batch)
        return np.einsum("tk,tkd->td", np.einsum("tkd,td->tk", Xb, V), Xb) / Xb.shape[1]

    def per_sample_gradient_moments(self, W, tasks):
        Xp = self.X[tasks]
        res = np.einsum("tnd,td->tn", Xp, W) - self.y[tasks]
        dev = res[:, :, None] * Xp - self._gradient(W, tasks)[:, None, :]
        A_dev = np.einsum("tij,tnj->tni", self.A[tasks], dev)
        t = np.mean(np.einsum("tni,tni->tn", dev, A_dev), axis=1)
        # E[(x x' - A_i) A_i dev] = E[x (x' A_i dev)], because E[dev] = 0.
        s = np.einsum("tn,tnd->td", np.einsum("tnd,tnd->tn", Xp, A_dev), Xp) / Xp.shape[1]
        return t, s

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        base = super().constants_on(domain)
        N = self.samples_per_task
        dA = np.einsum("tnd,tne->tnde", self.X, self.X) - self.A[:, None]
        db = -self.y[:, :, None] * self.X - self.b[:, None, :]
        P = np.einsum("tnij,tnjk->tik", dA, dA) / N
        r = np.einsum("tnij,tnj->ti", dA, db) / N
        s = np.einsum("tni,tni->t", db, db) / N
        sig_t2 = max_convex_quadratic_on_ball(P, r, s, domain.centre_in(self.dim), domain.radius)
        sig_h2 = np.mean(spectral_norm(dA) ** 2, axis=1)
        everywhere = Domain.everywhere()
        return Constants(
            L=base.L, rho=base.rho, sigma=base.sigma,
            sigma_tilde=Constant(np.sqrt(float(np.max(sig_t2))), domain, True,
                                 "sqrt of max_i of the trust-region maximum of E_theta||(xx'-A_i)w - yx - b_i||^2"),
            sigma_H=Constant(np.sqrt(float(np.max(sig_h2))), everywhere, True,
                             "sqrt of max_i E_theta ||x x' - A_i||^2 over the task's samples"),
        )
