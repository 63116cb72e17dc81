"""1-d tasks whose gradient has a smoothed kink: where the bias bounds (20), (62), (80), (117) and Lemma 4.9 are tight.

Task i on R (d = 1):

    f_i'(x) = c_i + L h_eps(x - x0_i),   h_eps(t) = t^2 / (2 eps) for |t| <= eps, |t| - eps/2 beyond,
    f_i''(x) = L clip((x - x0_i)/eps, -1, 1),   f_i'''(x) = L/eps on |x - x0_i| < eps (0 beyond),
    f_i(x) = c_i x + L H_eps(x - x0_i),   H_eps odd, H_eps(t) = t^3/(6 eps) on [0, eps],
             eps^2/6 + t^2/2 - eps t/2 beyond.

Why the kink.  Every bias bound of the paper passes a noisy inner step through the
Lipschitz gradient: Lemma 4.10's (20) bounds e_{i,k} = E[grad f_i(u - alpha xi)] - grad f_i(u),
xi the inner batch's gradient noise and u = w - alpha grad f_i(w), in three steps (62):
||E X|| <= E||X|| (tight if the differences are aligned), the Lipschitz step (tight if
grad f_i moves at the full rate L in both directions away from u) and E||xi|| <= sigma~/sqrt(D_in)
(Jensen, tight if ||xi|| is constant: two-point noise with D_in = 1).  An affine gradient
makes the bias 0; grad f_i = c + L|x - x0| with u at the kink x0 makes all three steps
equalities: f_i'(x0 -+ alpha sigma~) - f_i'(x0) = L alpha sigma~ for both signs.  Smoothing
on the scale eps keeps the Hessian Lipschitz (rho = L/eps) and costs exactly L eps/2:
with u = x0 and alpha sigma~ >= eps, e_{i,k} = L (alpha sigma~ - eps/2); eps -> 0 is the
limit in which the bounds are approached.  Away from the kink the gradient is affine with
slope +-L: the Hessian is at +-L there, as the step ||I - alpha grad^2 f_i|| <= 1 + alpha L
of (74) and (80) needs.  With one kink for all tasks the tasks differ by the offsets c_i
alone, which makes the task variance (12) constant in w (the two-point task laws of
Lemma 4.9).

``KinkedGradientFamily.at_inner_kink`` places the kink at the inner point u of a given w,
with the Hessian at w chosen as -L (w < x0 - eps: the factor I - alpha grad^2 f_i of
MAML's (79)-(80) at its largest norm 1 + alpha L), +L (w > x0 + eps: FO-MAML's dropped
term alpha grad^2 f_i grad f_i(u) of (114) aligned with e) or 0 (w = x0, c = 0: a
stationary point of F and of f_i).  ``TaskNoiseKinkedFamily`` adds two-point gradient
noise of a size per task (Lemma 4.9's equality case); for noise of one size on every task
wrap the family in ``NoisyFamily(..., distribution="two_point")``.

Constants (exact unless said).  L: sup |f_i''| = L, attained.  rho: sup |f_i'''| = L/eps,
attained, and f_i'' is piecewise linear, so it is the Hessian-Lipschitz constant.  sigma:
f_i' - f_j' = c_i - c_j + L (h(x - x0_i) - h(x - x0_j)) with h 1-Lipschitz, so
E_i (f_i' - f')^2 <= E_i (f_i' - g)^2 <= E_i (|c_i - cbar| + L |x0_i - xbar|)^2 for
g = cbar + L h(x - xbar) (the variance is the smallest mean square about any function):
exact (= sqrt(Var c)) when all kinks coincide, else an upper bound.  sigma~ = sigma_H = 0:
exact oracles.

Refusals: eps <= 0 (eps = 0 is a true kink: rho infinite, outside Assumption 4.4), L <= 0,
no task, kinks or probabilities that do not match the tasks raise ``ParameterError``
naming the parameter; nothing is clipped.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from verify.model.errors import ParameterError, check_alpha, check_finite, check_positive
from .base import Batch, Constant, Constants, Domain, Family
from .noise import NoisyFamily

__all__ = ["KinkedGradientFamily", "TaskNoiseKinkedFamily", "smoothed_abs"]

HESSIAN_SIDES = (-1, 0, 1)


def smoothed_abs(t, eps: float) -> np.ndarray:
    """h_eps(t): |t| with its kink rounded off quadratically on |t| <= eps (h' = clip(t/eps, -1, 1))."""
    t = np.asarray(t, dtype=float)
    a = np.abs(t)
    return np.where(a <= eps, t * t / (2 * eps), a - eps / 2)


def _smoothed_abs_antiderivative(t: np.ndarray, eps: float) -> np.ndarray:
    a = np.abs(t)
    inner = a ** 3 / (6 * eps)
    outer = eps ** 2 / 6 + a * a / 2 - eps * a / 2
    return np.sign(t) * np.where(a <= eps, inner, outer)


class KinkedGradientFamily(Family):
    """Tasks f_i on R with f_i'(x) = c_i + L h_eps(x - x0_i) (module docstring), probabilities p_i.

    ``kinks``: one x0 for every task (a number) or one per task.
    """

    name = "kinked-gradient"

    def __init__(self, L: float, eps: float, offsets, kinks=0.0, probabilities=None, domain: Domain | None = None):
        self.L = check_positive("L", L)
        if isinstance(eps, (int, float)) and not isinstance(eps, bool) and float(eps) == 0.0:
            raise ParameterError("eps", "a gradient kink of width 0 has an infinite Hessian-Lipschitz constant "
                                        "rho = L/eps (Assumption 4.4): use eps > 0")
        self.eps = check_positive("eps", eps)
        c = check_finite("offsets", offsets, ndim=(1,))
        if c.size == 0:
            raise ParameterError("offsets", "at least one task is needed")
        scalar = np.ndim(kinks) == 0
        x0 = check_finite("kinks", np.atleast_1d(np.asarray(kinks, dtype=float)), ndim=(1,))
        if scalar:  # one kink shared by every task; a list must give one per task
            x0 = np.full(c.size, float(x0[0]))
        if x0.shape != c.shape:
            raise ParameterError("kinks", f"one kink per task: {x0.shape} kinks for {c.shape} offsets")
        self.offsets, self.x0 = c.copy(), x0.copy()
        p = np.full(c.size, 1.0 / c.size) if probabilities is None else probabilities
        super().__init__(1, p, domain or Domain.everywhere())
        if self.probabilities.shape != c.shape:
            raise ParameterError("probabilities", f"{self.probabilities.size} probabilities for {c.size} tasks")

    @property
    def centre(self) -> float:
        """The kink x0 that every task shares (refused where the tasks' kinks differ)."""
        if not np.all(self.x0 == self.x0[0]):
            raise ParameterError("kinks", "the tasks' kinks differ: there is no one centre")
        return float(self.x0[0])

    @classmethod
    def at_inner_kink(cls, L: float, eps: float, alpha: float, side: int, inner_gradient: float = 0.0,
                      n: int = 1) -> tuple["KinkedGradientFamily", np.ndarray]:
        """(family, w): n identical tasks (sigma = 0) whose inner point u = w - alpha f'(w) is the kink x0 = 0.

        ``side``: f''(w) = side * L (-1: w < -eps; +1: w > eps; 0: w = x0 = 0, which needs
        ``inner_gradient`` 0).  ``inner_gradient`` is f'(u) = c.  With w = t and u = 0,
        f'(w) = t/alpha = c + L h_eps(t), so t = (c - L eps/2)/(1/alpha - side L) on a side;
        a c that puts t inside (-eps, eps) cannot give f''(w) = +-L and is refused.
        """
        L, eps, alpha = check_positive("L", L), check_positive("eps", eps), check_alpha(alpha)
        if alpha <= 0 or alpha * L >= 1:
            raise ParameterError("alpha", f"the construction needs 0 < alpha L < 1, got alpha L = {alpha * L!r}")
        if side not in HESSIAN_SIDES:
            raise ParameterError("side", f"{side!r} is not one of {HESSIAN_SIDES}")
        c = float(inner_gradient)
        if not math.isfinite(c):
            raise ParameterError("inner_gradient", f"{inner_gradient!r} is not finite")
        if side == 0:
            if c != 0:
                raise ParameterError("inner_gradient", "with w at the kink (side 0) u = w needs f'(u) = 0")
            t = 0.0
        else:
            t = (c - L * eps / 2) / (1 / alpha - side * L)
            if side * t < eps:
                raise ParameterError("inner_gradient", f"f'(u) = {c!r} puts w at {t:.6g}, within eps = {eps:.6g} "
                                                       f"of the kink, where f''(w) != {side} L")
        fam = cls(L, eps, np.full(n, t / alpha - L * smoothed_abs(np.array(t), eps)), np.zeros(n))
        return fam, np.array([t])

    # ------------------------------------------------------------------ exact oracles
    def _loss(self, W, tasks):
        x = W[:, 0]
        return self.offsets[tasks] * x + self.L * _smoothed_abs_antiderivative(x - self.x0[tasks], self.eps)

    def _gradient(self, W, tasks):
        return (self.offsets[tasks] + self.L * smoothed_abs(W[:, 0] - self.x0[tasks], self.eps))[:, None]

    def _hessian(self, W, tasks):
        return (self.L * np.clip((W[:, 0] - self.x0[tasks]) / self.eps, -1.0, 1.0))[:, None, None]

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        p = self.probabilities
        same_kink = bool(np.all(self.x0 == self.x0[0]))
        dev = np.abs(self.offsets - p @ self.offsets) + (0.0 if same_kink else
                                                         self.L * np.abs(self.x0 - p @ self.x0))
        sigma = float(np.sqrt(p @ dev ** 2))
        # On a ball that misses every smoothing interval f'' is constant: the global values are
        # then only upper bounds; they are exact wherever the ball holds a kink's interval.
        return Constants(
            L=Constant(self.L, domain, domain.is_global, "sup |f_i''| = L, attained beyond eps of the kink"),
            rho=Constant(self.L / self.eps, domain, domain.is_global,
                         "sup |f_i'''| = L/eps on the smoothing interval; f_i'' piecewise linear"),
            sigma=Constant(sigma, domain, same_kink and domain.is_global,
                           "sqrt(E_i (|c_i - cbar| + L |x0_i - xbar|)^2), h_eps 1-Lipschitz; "
                           "= sqrt(Var c) when the kinks coincide"),
            sigma_tilde=Constant(0.0, domain, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, domain, True, "exact oracles: no per-sample noise"),
        )


class TaskNoiseKinkedFamily(KinkedGradientFamily):
    """The kinked tasks with two-point gradient noise of a per-task size: sample theta of task i has gradient
    f_i'(x) + s sigma~_i (s a fair sign), i.e. the per-sample loss f_i(x) + s sigma~_i x.

    Assumption 4.6 bounds the noise of every task by one sigma~ = max_i sigma~_i (exact: a
    single sample has E|xi|^2 = sigma~_i^2); a task may be noiseless.  That is what the
    equality case of Lemma 4.9's second moment needs: noise on the task with the large
    gradient adds variance to ||grad~ f_j(w, D_beta)|| without moving its mean, noise on a
    task with a zero gradient would raise the mean.  The Hessian carries no noise
    (sigma_H = 0, exact).  A batch of D samples has the sign mean m = (2K - D)/D, K ~
    Binomial(D, 1/2) (``batch_noise_law``, that of ``NoisyFamily``), and
    ``batch_with_noise`` builds the batch of one outcome, for exact enumeration.
    """

    name = "kinked-gradient-task-noise"
    is_deterministic = False
    batch_noise_law = staticmethod(NoisyFamily.batch_noise_law)

    def __init__(self, L: float, eps: float, offsets, task_sigma_tilde, kinks=0.0, probabilities=None,
                 domain: Domain | None = None):
        super().__init__(L, eps, offsets, kinks, probabilities, domain)
        s = check_finite("task_sigma_tilde", task_sigma_tilde, ndim=(1,))
        if s.shape != self.offsets.shape or np.any(s < 0):
            raise ParameterError("task_sigma_tilde", f"needs {self.offsets.size} nonnegative noise levels, got {s}")
        self.task_sigma_tilde = s.copy()

    def batch_with_noise(self, tasks, size: int, gradient_mean) -> Batch:
        """The batch whose sign mean is ``gradient_mean`` for every task (one outcome of ``batch_noise_law``)."""
        t = self.task_indices(tasks)
        m = np.asarray(gradient_mean, dtype=float) * np.ones(len(t))
        if np.any(np.abs(m) > 1):
            raise ParameterError("gradient_mean", "a mean of signs lies in [-1, 1]")
        return Batch(t, size, m)

    def _draw_batch_data(self, tasks, size, rng):
        return (2.0 * rng.binomial(size, 0.5, size=len(tasks)) - size) / size

    def _noise(self, batch: Batch) -> np.ndarray:
        return (self.task_sigma_tilde[batch.tasks] * batch.data)[:, None]

    def _batch_loss(self, W, batch):
        return self._loss(W, batch.tasks) + self._noise(batch)[:, 0] * W[:, 0]

    def _batch_gradient(self, W, batch):
        return self._gradient(W, batch.tasks) + self._noise(batch)

    def constants_on(self, domain: Domain) -> Constants:
        c = super().constants_on(domain)
        return dataclasses.replace(c, sigma_tilde=Constant(float(np.max(self.task_sigma_tilde)), c.sigma_tilde.domain,
                                                           True, "max_i sigma~_i: one sample's E|xi|^2 = sigma~_i^2"))
