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

import itertools
import math

import numpy as np

from verify.model.errors import EXACT, ParameterError, check_batch_size, check_count, check_finite, check_positive
from ._ball import max_convex_quadratic_on_ball, max_convex_quadratic_on_ball_in_span
from .base import Batch, Constant, Constants, Domain, spectral_norm
from .quadratic import QuadraticFamily, task_variance_quadratic

__all__ = ["RegressionFamily"]

# The most batch outcomes ``batch_law`` enumerates (multisets of D of the N samples).
MAX_OUTCOMES = 5000


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
        A = np.matmul(np.swapaxes(X, 1, 2), X) / N  # BLAS: O(n N d^2), not a loop over (t, n, d, e)
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
        data = rng.integers(0, self.samples_per_task, size=(len(tasks), size))
        data.flags.writeable = False  # fixed once drawn: ``_batch_xy`` keeps its gather per batch
        return data

    def _batch_xy(self, batch: Batch):
        # The samples of a batch, gathered once: (11) reads the same batch at two points, and the
        # gather (B D d floats) costs as much as the gradient.  Only a batch whose tasks and samples
        # are read-only (as drawn here) is kept; the last one only.
        memo = self.__dict__.get("_batch_xy_memo")
        if memo is not None and memo[0] is batch and memo[1] is self.X and memo[2] is self.y:
            return memo[3]
        rows = batch.tasks[:, None]
        xy = self.X[rows, batch.data], self.y[rows, batch.data]
        if not batch.tasks.flags.writeable and not batch.data.flags.writeable:
            self.__dict__["_batch_xy_memo"] = (batch, self.X, self.y, xy)
        return xy

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

    def batch_law(self, tasks, size) -> tuple[Batch, np.ndarray]:
        """Every multiset of ``size`` of the task's N samples (drawn uniformly with replacement), stacked.

        A multiset with counts c_1..c_N has probability size!/(c_1! ... c_N!) / N^size; the same
        multiset of sample indices serves every task (the tasks' batches are independent, and
        each task's expectation is its own sum).  At most MAX_OUTCOMES multisets are enumerated.
        """
        if size == EXACT:
            return super().batch_law(tasks, size)
        t = self.task_indices(tasks)
        D = check_batch_size("size", size, allow_exact=False)
        N = self.samples_per_task
        if math.comb(N + D - 1, D) > MAX_OUTCOMES:
            raise ParameterError("size", f"{math.comb(N + D - 1, D)} batches of {D} of {N} samples exceed the "
                                         f"{MAX_OUTCOMES} an exact sum enumerates")
        combos = np.array(list(itertools.combinations_with_replacement(range(N), D)), dtype=int)
        counts = np.stack([(combos == j).sum(axis=1) for j in range(N)], axis=1)
        log_weight = math.lgamma(D + 1) - np.sum(np.vectorize(math.lgamma)(counts + 1.0), axis=1) - D * math.log(N)
        return Batch(np.tile(t, len(combos)), D, np.repeat(combos, len(t), axis=0)), np.exp(log_weight)

    def gradient_noise_second_moment(self, W, tasks):
        # Batches draw samples uniformly with replacement: one sample's gradient (x'w - y) x
        # deviates from the task's mean gradient by dev, and E||dev||^2 is the mean over the samples.
        Xp = self._per_task("X", tasks)
        res = np.einsum("tnd,td->tn", Xp, W) - self._per_task("y", tasks)
        dev = res[:, :, None] * Xp - self._gradient(W, tasks)[:, None, :]
        return np.mean(np.einsum("tnd,tnd->tn", dev, dev), axis=1)

    def per_sample_gradient_moments(self, W, tasks):
        Xp = self._per_task("X", tasks)
        res = np.einsum("tnd,td->tn", Xp, W) - self._per_task("y", tasks)
        dev = res[:, :, None] * Xp - self._gradient(W, tasks)[:, None, :]
        A_dev = np.einsum("tij,tnj->tni", self._per_task("A", tasks), dev)
        t = np.mean(np.einsum("tni,tni->tn", dev, A_dev), axis=1)
        # E[(x x' - A_i) A_i dev] = E[x (x' A_i dev)], because E[dev] = 0.
        s = np.einsum("tn,tnd->td", np.einsum("tnd,tnd->tn", Xp, A_dev), Xp) / Xp.shape[1]
        return t, s

    # ------------------------------------------------------------------ constants
    # With fewer samples than dimensions (N < d) every A_i = X_i'X_i/N, every x x' - A_i and the
    # sample-variance matrix P_i have rank at most N and live in the row space of X_i (of all the
    # X_i for the task variance): their spectra are those of N x N (nN x nN) matrices in an
    # orthonormal basis of that space, O(N^2 d) instead of O(d^3) per matrix and O(N d^2) memory
    # instead of the (n, N, d, d) array of all x x' - A_i.  With N >= d the d x d forms are the cheaper.
    @property
    def _low_rank(self) -> bool:
        return self.samples_per_task < self.dim

    def _spectral_norms_of_A(self) -> float:
        if not self._low_rank:
            return super()._spectral_norms_of_A()
        N = self.samples_per_task
        # ||X'X/N|| = lambda_max(X X'/N): the nonzero eigenvalues of X'X and X X' coincide.
        gram = np.matmul(self.X, np.swapaxes(self.X, 1, 2)) / N
        return float(np.max(np.linalg.eigvalsh(gram)[:, -1]))

    def _task_variance_sup(self, domain: Domain) -> float:
        n, N, d = self.X.shape
        if n * N >= d:
            return super()._task_variance_sup(domain)
        # A_i and b_i = -X_i'y_i/N lie in the row space of all the X_i: coordinates in an orthonormal basis U.
        U, R = np.linalg.qr(self.X.reshape(n * N, d).T)
        Rt = R.reshape(n * N, n, N).transpose(1, 0, 2)  # X_i' = U Rt[i]
        At = np.matmul(Rt, np.swapaxes(Rt, 1, 2)) / N
        bt = -np.einsum("tkn,tn->tk", Rt, self.y) / N
        p = self.probabilities
        Pt, rt, s = task_variance_quadratic(At, bt, p)
        return float(max_convex_quadratic_on_ball_in_span(U, Pt, U @ rt, s, domain.centre_in(d), domain.radius))

    def _sample_variance_terms(self):
        """Per task: P_i, r_i, s_i with E_theta||g_theta(w) - grad f_i(w)||^2 = w'P_i w + 2 r_i'w + s_i, and the
        per-sample ||x x' - A_i|| (n, N).  P_i as a (d, d) array, or as (U_i, B_i) with P_i = U_i B_i U_i'."""
        n, N, d = self.X.shape
        db = -self.y[:, :, None] * self.X - self.b[:, None, :]
        s = np.einsum("tni,tni->t", db, db) / N
        if not self._low_rank:
            dA = np.einsum("tnd,tne->tnde", self.X, self.X) - self.A[:, None]
            P = np.einsum("tnij,tnjk->tik", dA, dA) / N
            r = np.einsum("tnij,tnj->ti", dA, db) / N
            return P, None, r, s, spectral_norm(dA)
        # E (x x' - A)^2 = X' diag(||x||^2/N) X - A^2 and A^2 = X'(X X')X/N^2, so P_i = X' M X with
        # M = diag(||x||^2)/N - X X'/N^2; r_i = E (x x' - A)(-y x - b) = X' v, v = -(y ||x||^2 + X b)/N.
        U, R = np.linalg.qr(np.swapaxes(self.X, 1, 2))  # X_i' = U_i R_i, U_i (d, N)
        gram = np.matmul(self.X, np.swapaxes(self.X, 1, 2))
        n2 = np.einsum("tnd,tnd->tn", self.X, self.X)
        M = np.zeros((n, N, N))
        M[:, np.arange(N), np.arange(N)] = n2 / N
        M -= gram / N ** 2
        B = R @ M @ np.swapaxes(R, 1, 2)
        v = -(self.y * n2 + np.einsum("tnd,td->tn", self.X, self.b)) / N
        r = np.einsum("tnd,tn->td", self.X, v)
        # x_m x_m' - A_i = U_i R_i (e_m e_m' - I/N) R_i' U_i': its norm is that of the N x N middle.
        C = np.einsum("tam,tbm->tmab", R, R) - (R @ np.swapaxes(R, 1, 2))[:, None] / N
        return B, U, r, s, np.abs(np.linalg.eigvalsh(C)).max(axis=-1)

    def constants_on(self, domain: Domain) -> Constants:
        base = super().constants_on(domain)
        P, U, r, s, dA_norms = self._sample_variance_terms()
        if U is None:
            sig_t2 = max_convex_quadratic_on_ball(P, r, s, domain.centre_in(self.dim), domain.radius)
        else:
            sig_t2 = max_convex_quadratic_on_ball_in_span(U, P, r, s, domain.centre_in(self.dim), domain.radius)
        sig_h2 = np.mean(dA_norms ** 2, axis=1)
        everywhere = Domain.everywhere()
        return Constants(
            L=base.L, rho=base.rho, sigma=base.sigma,
            sigma_tilde=Constant(np.sqrt(float(np.max(sig_t2))), domain, True,
                                 "sqrt of max_i of the trust-region maximum of E_theta||(xx'-A_i)w - yx - b_i||^2"),
            sigma_H=Constant(np.sqrt(float(np.max(sig_h2))), everywhere, True,
                             "sqrt of max_i E_theta ||x x' - A_i||^2 over the task's samples"),
        )
