"""Ridge tasks whose curvature along one direction is piecewise linear: the equality cases of Theorem H.1's (142)-(149).

Task i on R^d, with a unit direction u and t := u'w,

    f_i(w) = phi_i(t),   phi_i''(t) = h_i(t),

where h_i interpolates the values H[i, k] at knots X[k] (shared, increasing) and is
constant outside [X[0], X[-1]]; phi_i'(X[0]) = g0[i] and phi_i(X[0]) = 0.  Then
grad f_i(w) = phi_i'(t) u, grad^2 f_i(w) = h_i(t) u u', and the central difference (11)
of HF-MAML along v = s u (the only direction the gradients and the two-point noise
along u take) is the average of h_i over [t - delta, t + delta] (delta := delta_k^i ||v||)
times v: ``average_curvature`` gives it in closed form.

Why this family.  The steps of (142)-(148) that are tight need the curvature along v to
sit at an end of [-L, L] on the whole finite-difference segment (||I - alpha A|| = 1 + alpha L
for the segment average A of the Hessian, with alpha L = 1/6), while rho > 0 (H.1's delta
rule delta = 1/(6 rho alpha) needs it); ``concave_plateau`` gives that: h = -L on a plateau
wider than the segment, rising at slope rho to +L beyond it.  A tent of the curvature
(``tent_pair``) makes the central difference inexact (its average is half the curvature
at the peak), the configuration in which (140)-(141)'s bias is left out by the proof.

Constants (global, the suprema themselves; the tasks are smooth on all of R^d):
* L = max |H|: |h_i| is largest at a knot, and every knot is attained.
* rho = max |H[i, k+1] - H[i, k]| / (X[k+1] - X[k]): h_i is piecewise linear.
* sigma^2 = sup_t sum_i p_i (phi_i'(t) - phi'(t))^2: between knots the summand is a
  polynomial of degree 4 in t, maximised at its end points or at the real roots of its
  derivative (computed, not sampled); outside [X[0], X[-1]] the tasks' curvatures must
  agree (else sigma is infinite and the family refuses), so the deviation is constant there.
* sigma~ = sigma_H = 0: exact oracles; ``NoisyFamily(..., distribution="two_point",
  direction=u)`` adds the noise along u.

``SwitchingNoiseFamily`` adds two-point noise that depends on w: sample theta carries the
gradient noise s sigma~ psi(u'w) u with psi(t) = sin(pi (t - t0) / (2 r)), the derivative of
the per-sample loss s sigma~ Psi(u'w), Psi(t) = -(2 r / pi) cos(pi (t - t0) / (2 r)).  At
t0 +- r the noise is +-s sigma~ u: the two points of HF-MAML's central difference (11) taken
around t0 with delta_k^i ||v|| = r see opposite noise, so the variance step of (143),
Var(X - Y) <= 2 (Var X + Var Y), is an equality (the noise of ``NoisyFamily``, independent
of w, cancels in (11) instead).  The Hypotheses of H.1 (Assumptions 4.2-4.6) bound only the
noise's variance (13)-(14), not how it varies with w, so this noise is inside them:
sigma~ = sup_w sigma~ |psi| is exact (attained at t0 +- r) and sigma_H = sigma~ pi / (2 r)
(the per-sample Hessian noise s sigma~ psi'(u'w) u u', attained at t0) is exact too.
"""
from __future__ import annotations

import numpy as np

from verify.model.errors import ParameterError, check_finite, check_positive
from .base import Constant, Constants, Domain, Family
from .noise import ExactOraclesOfBase
from verify.model.families.base import Batch
from verify.model.families.noise import NoisyFamily

__all__ = ["HessianProfileFamily", "SwitchingNoiseFamily"]


class HessianProfileFamily(Family):
    """f_i(w) = phi_i(u'w) with phi_i'' piecewise linear through (X[k], H[i, k]) and phi_i'(X[0]) = g0[i]."""

    name = "hessian-profile"

    def __init__(self, knots, hessians, g0, *, direction=None, dim: int = 1, probabilities=None):
        X = check_finite("knots", knots, ndim=(1,))
        H = check_finite("hessians", hessians, ndim=(2,))
        g0 = check_finite("g0", g0, ndim=(1,))
        if X.size < 2 or np.any(np.diff(X) <= 0):
            raise ParameterError("knots", "need at least two strictly increasing knots")
        if H.shape[1] != X.size or g0.shape != (H.shape[0],):
            raise ParameterError("hessians", f"shape {H.shape} and g0 {g0.shape} do not match {X.size} knots")
        if H.shape[0] > 1 and (np.ptp(H[:, 0]) > 0 or np.ptp(H[:, -1]) > 0):
            # Different end curvatures make phi_i' - phi_j' grow linearly: sigma would be infinite.
            raise ParameterError("hessians", "the tasks' curvatures must agree outside the knots (else sigma = inf)")
        if direction is None:
            u = np.zeros(int(dim))
            u[0] = 1.0
        else:
            u = check_finite("direction", direction, ndim=(1,))
            if not np.isclose(np.linalg.norm(u), 1.0):
                raise ParameterError("direction", "must be a unit vector")
        self.X, self.H, self.g0, self.u = X, H, g0, u
        n = H.shape[0]
        super().__init__(u.size, np.full(n, 1.0 / n) if probabilities is None else probabilities)
        # phi_i' and phi_i at the knots, by exact integration of the piecewise-linear h_i.
        dX = np.diff(X)
        dphi1 = 0.5 * (H[:, :-1] + H[:, 1:]) * dX
        self._d1 = np.concatenate([g0[:, None], g0[:, None] + np.cumsum(dphi1, axis=1)], axis=1)
        dphi0 = self._d1[:, :-1] * dX + (2 * H[:, :-1] + H[:, 1:]) * dX ** 2 / 6
        self._d0 = np.concatenate([np.zeros((n, 1)), np.cumsum(dphi0, axis=1)], axis=1)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def concave_plateau(cls, L: float, rho: float, half_width: float, *, dim: int = 1):
        """One task with h = -L on [-half_width, half_width], rising at slope rho to +L beyond; phi'(0) = 0.

        w = 0 is then a critical point of f and of F, the curvature at w and on every
        finite-difference segment within the plateau is -L (||I - alpha grad^2 f|| = 1 + alpha L),
        and rho is attained on the ramps.
        """
        L, rho = check_positive("L", L), check_positive("rho", rho)
        hw = check_positive("half_width", half_width)
        ramp = 2 * L / rho
        X = np.array([-hw - ramp, -hw, hw, hw + ramp])
        H = np.array([[L, -L, -L, L]])
        # phi'(0) = 0: phi'(X[0]) = -(integral of h from X[0] to 0) = -(0 - hw L) = hw L.
        return cls(X, H, np.array([hw * L]), dim=dim)

    @classmethod
    def tent_pair(cls, L: float, rho: float, alpha: float, *, weight: float = 0.5, offset: float = 1.0,
                  dim: int = 1):
        """Two tasks: a curvature tent (h_1 = L - rho |t|, clipped at 0) and a linear task chosen so that w = 0 is a
        stationary point of F (2) for the step size ``alpha``; ``offset`` is phi_1'(0) (non-zero: the tasks disagree).

        At w = 0 the curvature of task 1 is L, while its average over [-delta, delta] with
        delta = L/rho is L/2: the central difference (11) is inexact there.
        """
        L, rho = check_positive("L", L), check_positive("rho", rho)
        alpha = check_positive("alpha", alpha)
        if alpha * L >= 1:
            raise ParameterError("alpha", "alpha L < 1 is needed for F (2) to be defined by its stationary point here")
        p1 = float(weight)
        if not 0 < p1 < 1:
            raise ParameterError("weight", "the tent task's probability lies in (0, 1)")
        s = L / rho
        X = np.array([-s, 0.0, s])
        H = np.array([[0.0, L, 0.0], [0.0, 0.0, 0.0]])
        # phi_1'(0) = offset: phi_1'(-s) = offset - L s / 2.
        g01 = float(offset) - L * s / 2
        fam1 = cls(X, H[:1], np.array([g01]), dim=dim)
        u = fam1.u
        grad_F1 = (1 - alpha * L) * fam1.gradient(-alpha * fam1.gradient(np.zeros(fam1.dim))[0])[0] @ u
        # Task 2 is linear with slope c: F_2'(0) = c; p1 F_1'(0) + p2 c = 0.
        c = -p1 * grad_F1 / (1 - p1)
        return cls(X, H, np.array([g01, c]), dim=dim, probabilities=np.array([p1, 1 - p1]))

    # ------------------------------------------------------------------ the profile
    def _profile(self, t: np.ndarray, tasks: np.ndarray):
        """(phi_i(t), phi_i'(t), h_i(t)) for each row: Taylor's formula from the knot X[k] at or below t."""
        X, H = self.X, self.H
        last = X.size - 1
        # Left of X[0] expand from X[0] (s < 0); at or beyond X[-1] from X[-1]: the curvature is constant there.
        k = np.where(t < X[0], 0, np.clip(np.searchsorted(X, t, side="right") - 1, 0, last))
        s = t - X[k]
        inside = (t >= X[0]) & (k < last)
        k1 = np.minimum(k + 1, last)
        slope = np.where(inside, (H[tasks, k1] - H[tasks, k]) / np.where(inside, X[k1] - X[k], 1.0), 0.0)
        h0, d1, d0 = H[tasks, k], self._d1[tasks, k], self._d0[tasks, k]
        return (d0 + d1 * s + h0 * s ** 2 / 2 + slope * s ** 3 / 6, d1 + h0 * s + slope * s ** 2 / 2,
                h0 + slope * s)

    def average_curvature(self, t, half_width, tasks) -> np.ndarray:
        """The mean of h_i over [t - half_width, t + half_width]: (phi_i'(t + r) - phi_i'(t - r)) / (2 r)."""
        t, r = np.asarray(t, dtype=float), np.asarray(half_width, dtype=float)
        _, up, _ = self._profile(t + r, tasks)
        _, down, _ = self._profile(t - r, tasks)
        return (up - down) / (2 * r)

    # ------------------------------------------------------------------ oracles
    def _loss(self, W, tasks):
        return self._profile(W @ self.u, tasks)[0]

    def _gradient(self, W, tasks):
        return self._profile(W @ self.u, tasks)[1][:, None] * self.u[None, :]

    def _hessian(self, W, tasks):
        h = self._profile(W @ self.u, tasks)[2]
        return h[:, None, None] * np.outer(self.u, self.u)[None, :, :]

    def _hvp(self, W, V, tasks):
        h = self._profile(W @ self.u, tasks)[2]
        return (h * (V @ self.u))[:, None] * self.u[None, :]

    # ------------------------------------------------------------------ constants
    def _sigma_squared(self) -> float:
        p = self.probabilities
        if p.size == 1:
            return 0.0
        best = 0.0
        X = self.X
        for k in range(X.size - 1):
            # phi_i'(X[k] + s) = d1 + h0 s + m s^2 / 2 on [0, dX]: deviations from the mean are quadratics.
            dX = X[k + 1] - X[k]
            m = (self.H[:, k + 1] - self.H[:, k]) / dX
            coef = np.stack([m / 2, self.H[:, k], self._d1[:, k]], axis=1)  # highest power first
            dev = coef - p @ coef
            var = sum(pi * np.polymul(c, c) for pi, c in zip(p, dev))
            cands = [0.0, dX] + [float(r.real) for r in np.roots(np.polyder(var)) if abs(r.imag) < 1e-12
                                 and 0 <= r.real <= dX] if np.any(var[:-1]) else [0.0, dX]
            best = max(best, max(float(np.polyval(var, c)) for c in cands))
        return best

    def constants_on(self, domain: Domain) -> Constants:
        everywhere = Domain.everywhere()
        L = float(np.max(np.abs(self.H)))
        rho = float(np.max(np.abs(np.diff(self.H, axis=1)) / np.diff(self.X)[None, :]))
        return Constants(
            L=Constant(L, everywhere, True, "max |H|: |h_i| is largest at a knot"),
            rho=Constant(rho, everywhere, True, "max |slope| of the piecewise-linear curvature h_i"),
            sigma=Constant(float(np.sqrt(self._sigma_squared())), everywhere, True,
                           "sup over t of E_i (phi_i' - phi')^2: quartic per piece, maximised at end points and "
                           "critical points; constant outside the knots"),
            sigma_tilde=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
        )


class SwitchingNoiseFamily(ExactOraclesOfBase, Family):
    """``base`` (deterministic, a ridge along ``base.u``) with the w-dependent two-point noise s sigma~ psi(u'w) u.

    ``half_period`` is r and ``centre`` is t0 of the module docstring.  A batch of D samples
    carries the sign mean m = (2K - D)/D, K ~ Binomial(D, 1/2), and the noise sigma~ m psi(u'w) u
    at every point w where it is used (the same samples at w + delta v and w - delta v).
    """

    is_deterministic = False

    def __init__(self, base: HessianProfileFamily, sigma_tilde: float, half_period: float, centre: float = 0.0):
        if not isinstance(base, HessianProfileFamily):
            raise ParameterError("base", "the switching noise is defined along the ridge of a HessianProfileFamily")
        self.base = base
        self.noise_sigma_tilde = check_positive("sigma_tilde", sigma_tilde)
        self.half_period = check_positive("half_period", half_period)
        self.centre = float(check_finite("centre", centre, ndim=(0,)))
        super().__init__(base.dim, base.probabilities, base.domain)
        self.u = base.u
        self.name = f"switching-noise-{base.name}"

    def _phase(self, W):
        return np.pi * (W @ self.u - self.centre) / (2 * self.half_period)

    # stochastic oracles
    def _draw_batch_data(self, tasks, size, rng):
        return (2.0 * rng.binomial(size, 0.5, size=len(tasks)) - size) / size

    @staticmethod
    def batch_noise_law(size: int):
        """The law of a batch's sign mean: values and probabilities (as ``NoisyFamily.batch_noise_law``)."""

        return NoisyFamily.batch_noise_law(size)

    def batch_with_noise(self, tasks, size: int, gradient_mean):
        """The batch whose sign mean is ``gradient_mean`` (one outcome of ``batch_noise_law``)."""

        t = self.task_indices(tasks)
        m = np.asarray(gradient_mean, dtype=float) * np.ones(len(t))
        if np.any(np.abs(m) > 1):
            raise ParameterError("gradient_mean", "a mean of signs lies in [-1, 1]")
        return Batch(t, size, m)

    def _batch_loss(self, W, batch):
        psi_int = -(2 * self.half_period / np.pi) * np.cos(self._phase(W))
        return self.base._loss(W, batch.tasks) + self.noise_sigma_tilde * batch.data * psi_int

    def _batch_gradient(self, W, batch):
        noise = self.noise_sigma_tilde * batch.data * np.sin(self._phase(W))
        return self.base._gradient(W, batch.tasks) + noise[:, None] * self.u[None, :]

    def _batch_hessian(self, W, batch):
        slope = self.noise_sigma_tilde * batch.data * np.cos(self._phase(W)) * np.pi / (2 * self.half_period)
        return self.base._hessian(W, batch.tasks) + slope[:, None, None] * np.outer(self.u, self.u)[None]

    def _batch_hvp(self, W, V, batch):
        slope = self.noise_sigma_tilde * batch.data * np.cos(self._phase(W)) * np.pi / (2 * self.half_period)
        return self.base._hvp(W, V, batch.tasks) + (slope * (V @ self.u))[:, None] * self.u[None, :]

    def per_sample_gradient_moments(self, W, tasks):
        return None

    def constants_on(self, domain: Domain) -> Constants:
        base = self.base.constants_on(domain)
        everywhere = Domain.everywhere()
        return Constants(
            L=base.L, rho=base.rho, sigma=base.sigma,
            sigma_tilde=Constant(self.noise_sigma_tilde, everywhere, True,
                                 "sup_w sigma~ |psi(u'w)| = sigma~, attained at t0 +- r"),
            sigma_H=Constant(self.noise_sigma_tilde * np.pi / (2 * self.half_period), everywhere, True,
                             "sup_w sigma~ |psi'(u'w)| = sigma~ pi / (2 r), attained at t0"),
        )
