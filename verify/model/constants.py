"""A family's declared constants, searched for violations before any check relies on them.

Every theorem of the paper rests on Assumptions 4.3-4.6 (see verify/model/families/base.py):

    L        ||grad^2 f_i(w)|| <= L, equivalently ||grad f_i(w) - grad f_i(u)|| <= L ||w - u||   (4.3)
    rho      ||grad^2 f_i(w) - grad^2 f_i(u)|| <= rho ||w - u||                              (4.4)
    sigma    E_i ||grad f_i(w) - grad f(w)||^2 <= sigma^2                                    (12)
    sigma~   E_theta ||grad f_i(w, theta) - grad f_i(w)||^2 <= sigma~^2                      (13)
    sigma_H  E_theta ||grad^2 f_i(w, theta) - grad^2 f_i(w)||^2 <= sigma_H^2                 (14)

on the domain the family declares.  A family written by a user declares them; nothing
checked them, and a family that declared L = 0.5 where its L is 1.5 ran every check.
``search_constants`` looks for the supremum of each left side over the declared domain
and ``require_declared_constants`` refuses a family whose declaration the search exceeds
(``ParameterError`` naming the constant, the value found and the point).

The search, per constant, starts from points drawn at random in the domain (on a global
domain, Gaussian points at several scales; on a ball, uniform points, its boundary and
centre) and climbs from the best of them (a random-direction hill climb, steps shrinking,
projected into the domain).  It probes the extremal directions the proofs' equality cases
use: for L, secants along the Hessian's top eigenvector; for rho, the direction in which the
Hessian's top eigenvalue changes fastest, T[v, v, .] of the third derivative, which three
gradient calls give, (grad f(w + h v) - 2 grad f(w) + grad f(w - h v)) / h^2, and the
Hessian's eigenvectors.  What it finds is a lower bound on each supremum, never a
certificate.

A value found refutes the declaration only beyond rounding: L and rho are found from
secants of the oracles (a secant ratio never exceeds the supremum on a convex domain, so
only rounding can carry it past the declared value), sigma from exact task means, and
sigma~ and sigma_H exactly where the family gives its per-sample second moment and
otherwise from Monte Carlo draws, refuted only when the estimate less
``MONTE_CARLO_Z`` standard errors exceeds the declared square.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from verify.model.errors import ParameterError, check_rng
from verify.model.families.base import Family, spectral_norm

__all__ = ["ConstantSearch", "ConstantsReport", "MONTE_CARLO_Z", "estimate_constants", "require_declared_constants",
           "search_constants"]

NAMES = ("L", "rho", "sigma", "sigma_tilde", "sigma_H")
# The search's size: random starting points, hill-climbing starts and steps, Monte Carlo draws per point.
BUDGETS = {
    "quick": dict(points=24, climbs=2, steps=12, draws=400),
    "ci": dict(points=64, climbs=4, steps=25, draws=2000),
    "nightly": dict(points=256, climbs=8, steps=60, draws=8000),
}
# Scales of the Gaussian starting points on a global domain (no radius to sample from).
GLOBAL_SCALES = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
# Above this dimension the Hessian is not formed: its norm comes from power iteration on Hessian-vector products.
DENSE_HESSIAN_DIM = 256
POWER_STEPS = 60
# Random directions (each with its opposite) tried per step of a climb.
CLIMB_DIRECTIONS = 3
# Up to this dimension rho's search follows the rate of change of every eigenvalue, not only the top one.
EIGEN_DIRECTIONS_DIM = 16
# A value found refutes the declaration when it exceeds declared x (1 + RTOL) + its rounding allowance.
RTOL = 1e-9
EPS = np.finfo(float).eps
# Monte Carlo (sigma~, sigma_H without an exact second moment): standard errors below the estimate that must
# still exceed the declared square (z = 5: a one-sided normal tail of 3e-7 per point examined).
MONTE_CARLO_Z = 5.0


@dataclass(frozen=True)
class ConstantSearch:
    """What the search found for one constant."""

    name: str
    declared: float
    status: str  # "certified" (declared with its derivation) or "estimated" (itself a search's lower bound)
    largest: float  # the largest value of the left side found (a lower bound on the supremum)
    allowance: float  # rounding (or Monte Carlo) allowance of ``largest``
    point: np.ndarray | None
    other: np.ndarray | None = None  # the second point of a secant
    task: int | None = None
    evaluations: int = 0
    how: str = ""
    applies: bool = True  # False: not searched (e.g. sigma~ of a deterministic family, which is 0 by construction)

    @property
    def exceeded(self) -> bool:
        """The value found exceeds the declared one beyond rounding (for an estimate: a better estimate)."""
        return self.applies and self.largest - self.allowance > self.declared * (1 + RTOL)

    @property
    def violated(self) -> bool:
        """A certified declaration exceeded: Assumptions 4.3-4.6 fail as declared.  An estimated constant is a
        lower bound by construction; a search that exceeds it is reported (``exceeded``), not a violation."""
        return self.status == "certified" and self.exceeded

    @property
    def ratio(self) -> float:
        if self.declared > 0:
            return self.largest / self.declared
        return 0.0 if self.largest <= self.allowance else math.inf

    def message(self) -> str:
        where = "" if self.point is None else f" at w = {_short(self.point)}"
        if self.other is not None:
            where += f" and u = {_short(self.other)}"
        task = "" if self.task is None else f" (task {self.task})"
        return (f"the family declares {self.name} = {self.declared:.6g}, but {self.how} reaches "
                f"{self.largest:.6g}{where}{task}, beyond rounding ({self.allowance:.2g}): Assumptions 4.3-4.6 "
                f"fail as declared, and every result of the paper rests on them")

    def to_dict(self) -> dict:
        return {"name": self.name, "declared": self.declared, "status": self.status, "largest": self.largest,
                "allowance": self.allowance, "ratio": self.ratio, "violated": self.violated, "exceeded": self.exceeded,
                "point": None if self.point is None else self.point.tolist(),
                "other": None if self.other is None else self.other.tolist(), "task": self.task,
                "evaluations": self.evaluations, "how": self.how, "applies": self.applies}


@dataclass
class ConstantsReport:
    """The search's result for each of the five constants of one family."""

    family: str
    domain: str
    seed: int | None
    budget: str
    results: dict[str, ConstantSearch] = field(default_factory=dict)

    def violations(self) -> list[ConstantSearch]:
        return [r for r in self.results.values() if r.violated]

    def table(self) -> str:
        rows = [("constant", "declared", "status", "largest found", "found/declared", "verdict")]
        for r in self.results.values():
            verdict = ("not searched" if not r.applies else "VIOLATED" if r.violated else
                       "estimate exceeded" if r.exceeded else "holds where searched")
            rows.append((r.name, f"{r.declared:.6g}", r.status, f"{r.largest:.6g}" if r.applies else "-",
                         f"{r.ratio:.4g}" if r.applies else "-", verdict))
        widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)

    def to_dict(self) -> dict:
        return {"family": self.family, "domain": self.domain, "seed": self.seed, "budget": self.budget,
                "constants": {n: r.to_dict() for n, r in self.results.items()}}


def _short(w: np.ndarray) -> str:
    return np.array2string(np.asarray(w), precision=4, threshold=8, edgeitems=3)


class _Search:
    """The points, oracles and climbs shared by the five searches of one family."""

    def __init__(self, family: Family, rng: np.random.Generator, budget: dict):
        self.fam, self.rng, self.budget = family, rng, budget
        self.domain = family.domain
        self.tasks = family.task_indices()
        self.d = family.dim
        self.calls = 0

    # -------------------------------------------------------------- points
    def starts(self) -> np.ndarray:
        n, d, dom = self.budget["points"], self.d, self.domain
        if dom.is_global:
            scales = np.resize(np.asarray(GLOBAL_SCALES), n)
            return scales[:, None] * self.rng.standard_normal((n, d))
        inside = dom.sample(self.rng, n - n // 4 - 1, d)
        direction = self.rng.standard_normal((n // 4, d))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        boundary = dom.centre_in(d) + dom.radius * direction * (1 - 4 * EPS)
        return np.vstack([dom.centre_in(d)[None, :], inside, boundary])

    def project(self, w: np.ndarray) -> np.ndarray:
        dom = self.domain
        if dom.is_global:
            return w
        c = dom.centre_in(self.d)
        r = np.linalg.norm(w - c)
        return w if r <= dom.radius * (1 - 4 * EPS) else c + (w - c) * (dom.radius * (1 - 4 * EPS) / r)

    def scale(self, w: np.ndarray) -> float:
        """A length for steps and secants near w: the ball's radius, or the size of w on a global domain."""
        return self.domain.radius if not self.domain.is_global else max(1.0, float(np.linalg.norm(w)))

    def climb(self, value, starts: np.ndarray) -> tuple[float, np.ndarray, object]:
        """Random-direction hill climb of ``value(w) -> (v, extra)`` from the best ``climbs`` of ``starts``."""
        scored = [(value(w), w) for w in starts]
        scored.sort(key=lambda t: -t[0][0])
        best_v, best_w, best_extra = scored[0][0][0], scored[0][1], scored[0][0][1]
        for (v0, extra0), w0 in scored[: self.budget["climbs"]]:
            v, w, extra = v0, w0, extra0
            step = 0.25 * self.scale(w)
            for _ in range(self.budget["steps"]):
                # A few directions and their opposites per step; the step shrinks only when none improves.
                z = _unit_rows(self.rng.standard_normal((CLIMB_DIRECTIONS, self.d)))
                tried = [(value(c), c) for c in (self.project(w + s * step * zk) for zk in z for s in (1, -1))]
                (cv, cextra), cand = max(tried, key=lambda t: t[0][0])
                if cv > v:
                    v, w, extra = cv, cand, cextra
                else:
                    step *= 0.5
            if v > best_v:
                best_v, best_w, best_extra = v, w, extra
        return best_v, best_w, best_extra

    # -------------------------------------------------------------- oracles
    def gradients(self, w: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.fam.gradient(w, self.tasks)

    def hessian_norms(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(||grad^2 f_i(w)|| per task, each task's top eigenvector (by |eigenvalue|))."""
        self.calls += 1
        if self.d <= DENSE_HESSIAN_DIM:
            H = self.fam.hessian(w, self.tasks)
            H = 0.5 * (H + np.swapaxes(H, 1, 2))
            lam, vec = np.linalg.eigh(H)
            k = np.argmax(np.abs(lam), axis=1)
            return np.abs(lam[np.arange(len(k)), k]), vec[np.arange(len(k)), :, k]
        v = self.rng.standard_normal((len(self.tasks), self.d))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        norms = np.zeros(len(self.tasks))
        for _ in range(POWER_STEPS):
            hv = self.fam.hvp(w, v, self.tasks)
            norms = np.linalg.norm(hv, axis=1)
            v = hv / np.where(norms > 0, norms, 1.0)[:, None]
        return norms, v

    def eigen_directions(self, w: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """(task, unit vector) pairs.  For d <= EIGEN_DIRECTIONS_DIM every task's top eigenvector and every
        eigenvector of the task whose Hessian is largest; above it (a network: each direction costs Hessian
        differences by power iteration) the top eigenvector of that task only."""
        norms, vecs = self.hessian_norms(w)
        i = int(np.argmax(norms))
        if self.d > EIGEN_DIRECTIONS_DIM:
            return [(i, vecs[i])]
        out = [(k, vecs[k]) for k in range(len(norms))]
        H = self.fam.hessian(w, self.tasks[i:i + 1])[0]
        return out + [(i, v) for v in np.linalg.eigh(0.5 * (H + H.T))[1].T]

    def hessians_or_none(self, w: np.ndarray) -> np.ndarray | None:
        return self.fam.hessian(w, self.tasks) if self.d <= DENSE_HESSIAN_DIM else None

    # -------------------------------------------------------------- the five searches
    def L(self, declared: float) -> tuple:
        def value(w):
            norms, vecs = self.hessian_norms(w)
            i = int(np.argmax(norms))
            return float(norms[i]), (i, vecs[i])

        v, w, (i, vec) = self.climb(value, self.starts())
        # Secants of the gradient along the top eigenvector (the equality case of 4.3): they check the
        # gradient oracle itself, whose Hessian may be wrong.  A secant never exceeds sup ||grad^2 f_i||.
        best = (v, w, None, i, "||grad^2 f_i(w)||", 64 * EPS * self.d * v)
        for frac in (1e-3, 1e-2, 0.1, 0.5):
            h = frac * self.scale(w)
            a, b = self.project(w - h * vec), self.project(w + h * vec)
            dist = float(np.linalg.norm(b - a))
            if dist == 0:
                continue
            ga, gb = self.gradients(a), self.gradients(b)
            ratios = np.linalg.norm(gb - ga, axis=1) / dist
            k = int(np.argmax(ratios))
            allowance = 4 * EPS * (np.linalg.norm(ga[k]) + np.linalg.norm(gb[k])) / dist
            if ratios[k] - allowance > best[0] - best[5]:
                best = (float(ratios[k]), a, b, k, "||grad f_i(w) - grad f_i(u)|| / ||w - u||", float(allowance))
        return best

    def rho(self, declared: float) -> tuple:
        def secant(w, u_dir, h):
            a, b = self.project(w - h * u_dir), self.project(w + h * u_dir)
            dist = float(np.linalg.norm(b - a))
            if dist == 0:
                return 0.0, a, b, 0, 0.0
            Ha, Hb = self.hessians_or_none(a), self.hessians_or_none(b)
            self.calls += 2
            if Ha is None:  # large d: the difference applied to its own top direction by power iteration
                diff = _difference_norms(self.fam, a, b, self.tasks, self.rng)
                size = np.zeros_like(diff)
            else:
                diff = spectral_norm(Hb - Ha)
                size = spectral_norm(Ha) + spectral_norm(Hb)
            ratios = diff / dist
            k = int(np.argmax(ratios))
            return float(ratios[k]), a, b, k, float(64 * EPS * self.d * size[k] / dist)

        def value(w):
            # The fastest-change direction of each eigenvalue of the task whose Hessian is largest, and of the
            # top eigenvalue of every task: the local rate of change of grad^2 f_i along each.
            best = None
            for i, v in self.eigen_directions(w):
                direction = _fastest_change(self, w, v, i)
                r = secant(w, direction, 1e-3 * self.scale(w))
                if best is None or r[0] > best[1][0]:
                    best = (direction, r)
            return best[1][0], best

        v, w, (direction, r) = self.climb(value, self.starts())
        best = r
        norms, vecs = self.hessian_norms(w)
        candidates = [direction, vecs[int(np.argmax(norms))]] + list(_unit_rows(self.rng.standard_normal((4, self.d))))
        for u in candidates:
            for frac in (1e-4, 1e-3, 1e-2, 0.1, 0.5):
                r = secant(w, u, frac * self.scale(w))
                if r[0] - r[4] > best[0] - best[4]:
                    best = r
        value_, a, b, k, allowance = best
        return value_, a, b, k, "||grad^2 f_i(w) - grad^2 f_i(u)|| / ||w - u||", allowance

    def sigma(self, declared: float) -> tuple:
        p = self.fam.probabilities

        def value(w):
            G = self.gradients(w)
            dev = G - p @ G
            return float(np.sqrt(p @ np.sum(dev * dev, axis=1))), None

        v, w, _ = self.climb(value, self.starts())
        G = self.gradients(w)
        allowance = 16 * EPS * float(np.max(np.linalg.norm(G, axis=1))) * math.sqrt(self.d)
        return v, w, None, None, "sqrt(E_i ||grad f_i(w) - grad f(w)||^2)", allowance

    def noise(self, which: str, declared: float) -> tuple:
        """sigma~ (which = "gradient") or sigma_H (which = "hessian"): per task, at the points of the search."""
        fam, draws = self.fam, self.budget["draws"]
        exact_moment = which == "gradient"
        try:
            law = fam.batch_law(self.tasks, 1)
        except ParameterError:  # no finite law: Monte Carlo
            law = None

        def value(w):
            if exact_moment:
                m = fam.gradient_noise_second_moment(np.repeat(w[None, :], len(self.tasks), axis=0), self.tasks)
                if m is not None:
                    i = int(np.argmax(m))
                    return float(np.sqrt(max(m[i], 0.0))), (i, 16 * EPS * float(np.sqrt(max(m[i], 0.0))), "exact")
            if law is not None:  # every outcome of a one-sample batch with its probability: exact
                batch, weights = law
                reps = len(weights)
            else:
                batch, weights, reps = fam.draw_batch(np.tile(self.tasks, draws), 1, self.rng), None, draws
            tasks = batch.tasks
            if which == "gradient":
                dev = fam.batch_gradient(w, batch) - fam.gradient(w, tasks)
                sq = np.sum(dev * dev, axis=1)
            else:
                if self.d > DENSE_HESSIAN_DIM:  # ||H~ - H|| by power iteration on Hessian-vector products
                    sq = _noise_hessian_norms(fam, w, batch, self.rng) ** 2
                else:
                    sq = spectral_norm(fam.batch_hessian(w, batch) - fam.hessian(w, tasks)) ** 2
            sq = sq.reshape(reps, len(self.tasks))
            if weights is not None:
                mean = weights @ sq
                i = int(np.argmax(mean))
                est = float(np.sqrt(mean[i]))
                return est, (i, 16 * EPS * est * math.sqrt(self.d), "exact, over the batch's law")
            mean, se = sq.mean(axis=0), sq.std(axis=0, ddof=1) / math.sqrt(draws)
            i = int(np.argmax(mean))
            lower = max(mean[i] - MONTE_CARLO_Z * se[i], 0.0)
            est = float(np.sqrt(mean[i]))
            return est, (i, est - math.sqrt(lower), f"Monte Carlo over {draws} draws")

        starts = self.starts()[: max(8, self.budget["points"] // 4)]
        v, w, (i, allowance, how) = self.climb(value, starts)
        name = "E ||grad f_i(w, theta) - grad f_i(w)||^2" if which == "gradient" else \
            "E ||grad^2 f_i(w, theta) - grad^2 f_i(w)||^2"
        return v, w, None, i, f"sqrt({name}) ({how})", allowance


def _unit_rows(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _fastest_change(search: _Search, w: np.ndarray, v: np.ndarray, task: int) -> np.ndarray:
    """The direction in which v' grad^2 f_i v grows fastest at w: T[v, v, .], by second differences of gradients."""
    h = 1e-3 * search.scale(w)
    a, b = search.project(w - h * v), search.project(w + h * v)
    if not np.allclose(b - w, w - a):
        return _unit_rows(search.rng.standard_normal((1, search.d)))[0]
    g = search.fam.gradient(np.vstack([a, w, b]), np.full(3, search.tasks[task]))
    search.calls += 1
    t = g[2] - 2 * g[1] + g[0]
    n = np.linalg.norm(t)
    return t / n if n > 0 else _unit_rows(search.rng.standard_normal((1, search.d)))[0]


def _noise_hessian_norms(fam: Family, w, batch, rng) -> np.ndarray:
    """||grad^2 f_i(w, D) - grad^2 f_i(w)|| per row of ``batch``, by power iteration (the Hessians are not formed)."""
    v = _unit_rows(rng.standard_normal((len(batch.tasks), fam.dim)))
    norms = np.zeros(len(batch.tasks))
    for _ in range(POWER_STEPS):
        hv = fam.batch_hvp(w, v, batch) - fam.hvp(w, v, batch.tasks)
        norms = np.linalg.norm(hv, axis=1)
        v = hv / np.where(norms > 0, norms, 1.0)[:, None]
    return norms


def _difference_norms(fam: Family, a, b, tasks, rng) -> np.ndarray:
    v = _unit_rows(rng.standard_normal((len(tasks), fam.dim)))
    norms = np.zeros(len(tasks))
    for _ in range(POWER_STEPS):
        hv = fam.hvp(b, v, tasks) - fam.hvp(a, v, tasks)
        norms = np.linalg.norm(hv, axis=1)
        v = hv / np.where(norms > 0, norms, 1.0)[:, None]
    return norms


def search_constants(family: Family, rng: np.random.Generator, *, budget: str = "ci",
                     seed: int | None = None) -> ConstantsReport:
    """Search the declared domain of ``family`` for the supremum of each constant's left side (module docstring)."""
    if not isinstance(family, Family):
        raise ParameterError("family", f"expected a Family, got {type(family).__name__}")
    check_rng(rng)
    if budget not in BUDGETS:
        raise ParameterError("budget", f"{budget!r} is not one of {', '.join(BUDGETS)}")
    constants = family.constants
    declared = {name: (getattr(constants, name).value,
                       "estimated" if getattr(constants, name).estimated else "certified") for name in NAMES}
    report = ConstantsReport(type(family).__name__ if family.name == "family" else family.name,
                             repr(family.domain), seed, budget)
    report.results = _search_all(family, rng, budget, declared)
    return report


def estimate_constants(family: Family, rng: np.random.Generator, *, budget: str = "ci") -> dict[str, ConstantSearch]:
    """The search alone, on ``family``'s domain, for a family that declares nothing (its constants are to be
    estimated from it: ``JaxFamily``).  Each result's ``largest`` is a lower bound on the supremum."""
    if not isinstance(family, Family):
        raise ParameterError("family", f"expected a Family, got {type(family).__name__}")
    check_rng(rng)
    if budget not in BUDGETS:
        raise ParameterError("budget", f"{budget!r} is not one of {', '.join(BUDGETS)}")
    return _search_all(family, rng, budget, {name: (math.nan, "estimated") for name in NAMES})


def _search_all(family: Family, rng, budget: str, declared: dict) -> dict[str, ConstantSearch]:
    search = _Search(family, rng, BUDGETS[budget])
    out = {}
    for name in NAMES:
        value_declared, status = declared[name]
        if name in ("sigma_tilde", "sigma_H") and family.is_deterministic:
            out[name] = ConstantSearch(name, value_declared, status, 0.0, 0.0, None, how="exact oracles",
                                       applies=False)
            continue
        before = search.calls
        if name in ("sigma_tilde", "sigma_H"):
            value, w, u, task, how, allowance = search.noise("gradient" if name == "sigma_tilde" else "hessian",
                                                             value_declared)
        else:
            value, w, u, task, how, allowance = getattr(search, name)(value_declared)
        out[name] = ConstantSearch(name, value_declared, status, float(value), float(allowance),
                                   None if w is None else np.asarray(w, dtype=float).copy(),
                                   None if u is None else np.asarray(u, dtype=float).copy(),
                                   None if task is None else int(task), search.calls - before, how)
    return out


def require_declared_constants(family: Family, rng: np.random.Generator, *, budget: str = "ci",
                               seed: int | None = None) -> ConstantsReport:
    """``search_constants``, refusing the family (``ParameterError`` naming the constant) where it finds a violation."""
    report = search_constants(family, rng, budget=budget, seed=seed)
    for r in report.violations():
        raise ParameterError(r.name, r.message())
    return report
