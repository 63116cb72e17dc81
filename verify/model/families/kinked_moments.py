"""One-dimensional tasks whose Hessian is piecewise linear (a smoothed kink): the extremal tasks of the bias of (20).

Task i has f_i''(x) = h0_i + sum_k s_ik R((x - a_ik) / eps_ik) with the ramp
R(t) = min(max(t, 0), 1): f_i'' moves linearly by s_ik over [a_ik, a_ik + eps_ik]
and is constant elsewhere.  Integrating R once and twice in closed form,

    R1(x) = 0, (x-a)^2/(2 eps), x - a - eps/2              (x < a, a <= x <= a + eps, x > a + eps)
    R2(x) = 0, (x-a)^3/(6 eps), (x - a - eps/2)^2/2 + eps^2/24,

so f_i'(x) = g0_i + h0_i x + sum_k s_ik (R1_k(x) - R1_k(0)) and f_i(x) = c_i + g0_i x +
h0_i x^2/2 + sum_k s_ik (R2_k(x) - R2_k(0) - R1_k(0) x): f_i'(0) = g0_i, f_i(0) = c_i.

Why: Lemma 4.10's bias e = E grad f(u - alpha xi) - grad f(u) is at most alpha L sigma~/sqrt(D_in)
(20), with equality only when grad f grows by L |x - u| on BOTH sides of u (a kink of the
gradient: f'' = -L left of u, +L right of it) and the inner-step noise xi is two-point
(D_in = 1).  A kink has rho = infinity; the ramp of width eps makes it Hessian-Lipschitz
with rho = 2L/eps, and the bias is L h - L eps/2 for noise of size h = alpha sigma~ > eps: the
extremal ratio is approached as eps/h -> 0, inside the hypotheses at every eps > 0.  The
displays checked with these tasks ((82), (119) of Theorems F.1 and G.1) do not involve rho.

Constants (global, exact unless said otherwise):

* L = max_i sup_x |f_i''(x)|: f_i'' is piecewise linear and constant outside its ramps, so
  the supremum is the largest |value| at the ramps' end points (and at -infinity/+infinity).
* rho = max_i sup_x |f_i'''(x)|, f_i''' being the piecewise-constant sum of s_ik/eps_ik over
  the ramps active at x: the largest |sum| over the intervals between ramp end points.
* sigma: 0 for one task (exact).  For several tasks an upper bound on a ball of radius R
  about the origin: |(f_i' - f')(x) - (f_i' - f')(0)| <= 2 L |x|, so
  E_i (f_i'(x) - f'(x))^2 <= E_i (|f_i'(0) - f'(0)| + 2 L R)^2 (``exact=False``).
* sigma~ = sigma_H = 0: exact oracles (wrap in ``NoisyFamily`` for the two-point noise).
"""
from __future__ import annotations

import numpy as np

from verify.model.errors import ParameterError, check_finite, check_positive
from .base import Constant, Constants, Domain, Family

__all__ = ["KinkedFamily", "kinked_task"]


def _r1(x, a, eps):
    t = x - a
    return np.where(t < 0, 0.0, np.where(t <= eps, t * t / (2 * eps), t - eps / 2))


def _r2(x, a, eps):
    t = x - a
    return np.where(t < 0, 0.0, np.where(t <= eps, t ** 3 / (6 * eps), (t - eps / 2) ** 2 / 2 + eps ** 2 / 24))


def _r0(x, a, eps):
    return np.clip((x - a) / eps, 0.0, 1.0)


def kinked_task(kind: str, *, L: float, alpha: float, h: float, eps: float, g: float = 0.0) -> dict:
    """One task of an extremal configuration at w = 0, as (h0, g0, ramps) for ``KinkedFamily``.

    ``h`` is the size alpha sigma~ of the inner step's two-point noise (D_in = 1), so the
    inner points are u +- h with u = -alpha f'(0); ``eps`` < h the width of each ramp.

    * "flat": f'(0) = 0 (u = 0), f'' = -L on (-inf, 0] ramping to +L on [0, eps]:
      f''(w) = -L, grad F_i(w) = 0, bias e = L h - L eps / 2 > 0.
    * "climb": f''(w) = -L and grad f(u) = ``g`` > 0 aligned with its bias e = L h - L eps/2:
      f'' = -L left of u - eps, +L on [u, u + h + eps], back to -L on [u + h + 2 eps, inf) (which
      holds w = 0).  Possible only if alpha g >= (1 - alpha L)(h + eps) + eps (else refused: the
      inner step would not get past the +L stretch).
    * "rise": f''(w) = +L and grad f(u) = ``g`` > 0 aligned with its bias: f'' = -L left of
      u - eps, +L on [u, inf) (which holds w = 0 since u < 0).
    """
    L = check_positive("L", L)
    alpha = check_positive("alpha", alpha)
    h = check_positive("h", h)
    eps = check_positive("eps", eps)
    if eps >= h:
        raise ParameterError("eps", f"the ramp width {eps} must be below the noise size h = {h}")
    if kind == "flat":
        return dict(h0=-L, g0=0.0, ramps=[(0.0, eps, 2 * L)])
    g = check_positive("g", g)
    if kind == "climb":
        if alpha * g < (1 - alpha * L) * (h + eps) + eps:
            raise ParameterError("g", f"grad f(u) = {g} is too small for the inner step to reach the -L stretch: "
                                      f"need alpha g >= (1 - alpha L)(h + eps) + eps")
        # f'(0) - f'(u) = L (h + eps) + 0 (the ramp down averages 0) - L (0 - u - h - 2 eps), u = -alpha f'(0).
        g_w = (g + 2 * L * (h + eps) + L * eps) / (1 + alpha * L)
        u = -alpha * g_w
        return dict(h0=-L, g0=g_w, ramps=[(u - eps, eps, 2 * L), (u + h + eps, eps, -2 * L)])
    if kind == "rise":
        # f'' = +L on [u, 0]: f'(0) = g + L alpha f'(0).
        g_w = g / (1 - alpha * L)
        u = -alpha * g_w
        return dict(h0=-L, g0=g_w, ramps=[(u - eps, eps, 2 * L)])
    raise ParameterError("kind", f"{kind!r} is not one of ('flat', 'climb', 'rise')")


class KinkedFamily(Family):
    """n one-dimensional tasks with piecewise-linear f_i'' (see the module docstring); exact oracles."""

    name = "kinked"

    def __init__(self, tasks: list[dict], probabilities=None, domain: Domain | None = None):
        if not tasks:
            raise ParameterError("tasks", "at least one task is needed")
        self.h0 = check_finite("h0", [t["h0"] for t in tasks], ndim=(1,))
        self.g0 = check_finite("g0", [t["g0"] for t in tasks], ndim=(1,))
        self.c = np.array([float(t.get("c", 0.0)) for t in tasks])
        m = max(len(t["ramps"]) for t in tasks)
        n = len(tasks)
        # Padded ramps (a, eps, s); padding has s = 0 and changes nothing.
        self.a = np.zeros((n, m))
        self.eps = np.ones((n, m))
        self.s = np.zeros((n, m))
        for i, t in enumerate(tasks):
            for k, (a, eps, s) in enumerate(t["ramps"]):
                self.a[i, k] = float(a)
                self.eps[i, k] = check_positive("eps", eps)
                self.s[i, k] = float(s)
        check_finite("ramps", np.stack([self.a, self.s]), ndim=(3,))
        p = np.full(n, 1.0 / n) if probabilities is None else probabilities
        super().__init__(1, p, Domain.everywhere() if domain is None else domain)

    # ------------------------------------------------------------------ oracles (W: (T, 1))
    def _second(self, x, tasks):
        return self.h0[tasks] + np.sum(self.s[tasks] * _r0(x[:, None], self.a[tasks], self.eps[tasks]), axis=1)

    def _loss(self, W, tasks):
        x = W[:, 0]
        a, e, s = self.a[tasks], self.eps[tasks], self.s[tasks]
        ramps = s * (_r2(x[:, None], a, e) - _r2(0.0, a, e) - _r1(0.0, a, e) * x[:, None])
        return self.c[tasks] + self.g0[tasks] * x + self.h0[tasks] * x * x / 2 + ramps.sum(axis=1)

    def _gradient(self, W, tasks):
        x = W[:, 0]
        a, e, s = self.a[tasks], self.eps[tasks], self.s[tasks]
        ramps = s * (_r1(x[:, None], a, e) - _r1(0.0, a, e))
        return (self.g0[tasks] + self.h0[tasks] * x + ramps.sum(axis=1))[:, None]

    def _hessian(self, W, tasks):
        return self._second(W[:, 0], tasks)[:, None, None]

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        everywhere = Domain.everywhere()
        n = self.n_tasks
        L = rho = 0.0
        for i in range(n):
            ends = np.concatenate([self.a[i], self.a[i] + self.eps[i]])
            ends.sort()
            x = np.concatenate([[ends[0] - 1.0], ends, [ends[-1] + 1.0]])
            vals = self._second(x, np.full(x.size, i))
            L = max(L, float(np.max(np.abs(vals))))
            mids = (x[:-1] + x[1:]) / 2
            slope = np.sum(np.where((mids[:, None] > self.a[i]) & (mids[:, None] < self.a[i] + self.eps[i]),
                                    self.s[i] / self.eps[i], 0.0), axis=1)
            rho = max(rho, float(np.max(np.abs(slope))))
        if n == 1:
            sigma = Constant(0.0, everywhere, True, "one task: no task variance")
        else:
            R = domain.max_norm
            p = self.probabilities
            dev = np.abs(self.g0 - p @ self.g0)
            sigma = Constant(float(np.sqrt(p @ (dev + 2 * L * R) ** 2)), domain, False,
                             "sqrt(E_i (|f_i'(0) - f'(0)| + 2 L R)^2): each f_i' - f' moves by at most 2 L |x|")
        return Constants(
            L=Constant(L, everywhere, True, "max |f_i''| at the ramps' end points (f_i'' piecewise linear)"),
            rho=Constant(rho, everywhere, True, "max |f_i'''|: the largest |sum of active ramp slopes s/eps|"),
            sigma=sigma,
            sigma_tilde=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
        )
