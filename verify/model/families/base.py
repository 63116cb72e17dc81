"""The Family interface: a distribution over tasks f_i with vectorised oracles and certified constants.

A family is what the paper calls the set of tasks {T_i} with probabilities p_i
(Section 1): task losses f_i : R^d -> R, their gradients, Hessians and
Hessian-vector products, the stochastic versions grad~ f_i(w, D) and
grad~^2 f_i(w, D) over a data batch D (Section 1, "fi(w) := E_theta[fi(w, theta)]"),
and the constants of Assumptions 4.3-4.6:

    L         gradient-Lipschitz constant of every f_i            (Assumption 4.3)
    rho       Hessian-Lipschitz constant of every f_i             (Assumption 4.4)
    sigma     E_i ||grad f(w) - grad f_i(w)||^2 <= sigma^2        (12), Assumption 4.5
    sigma~    E_theta ||grad f_i(w, theta) - grad f_i(w)||^2 <= sigma~^2      (13)
    sigma_H   E_theta ||grad^2 f_i(w, theta) - grad^2 f_i(w)||^2 <= sigma_H^2 (14)

The paper assumes all five on the whole of R^d.  For many natural tasks (the
rank-one factorisation of Appendix J, quadratics with different A_i, regression
with per-sample losses) some of them are finite only on a bounded set, so every
constant here is a ``Constant`` that names the ``Domain`` on which it is
certified, says whether it is the supremum itself (``exact``) or an upper bound,
and carries its derivation.  Matrix norms are spectral norms throughout.

Shapes.  Oracles take ``w`` of shape (d,) (the same point for every task) or
(T, d) (one point per task) and task indices ``tasks`` of shape (T,), and return
(T,) losses, (T, d) gradients, (T, d, d) Hessians, (T, d) Hessian-vector
products, all float64.  Stochastic oracles take a ``Batch`` drawn once by
``draw_batch`` so that the *same* data D can be used at several points, as the
finite differences (11) of HF-MAML require.

Writing a family.  Subclass ``Family`` and implement ``_loss``, ``_gradient``,
``_hessian`` (on arrays W of shape (T, d) and task indices of shape (T,)) and
``constants_on(domain)``.  ``_hvp`` defaults to the Hessian times v; the
stochastic oracles default to the exact ones (a deterministic family, sigma~ =
sigma_H = 0).  A family with per-sample data overrides ``_draw_batch_data`` and
the ``_batch_*`` methods.  The README's "Your own task family" shows a whole one.
Per-task parameters read through ``self._per_task("A", tasks)`` instead of
``self.A[tasks]`` are gathered once per batch, not at every oracle call (one
iteration reads its batch at up to four points); ``_gradient_pair`` may evaluate
the two points of (11) in one call.
"""
from __future__ import annotations

import abc
import copy
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verify.model.errors import (EXACT, OutsideDomain, ParameterError, check_batch_size, check_finite,
    check_positive, check_rng, check_task_batch)

__all__ = ["Batch", "Constant", "Constants", "Domain", "Family", "repeated_rows"]

# A point on the boundary of a ball, computed in floating point, may land a few
# ulps outside; membership allows this relative slack and nothing more.
DOMAIN_RTOL = 1e-12


@dataclass(frozen=True, eq=False)
class Domain:
    """Where a constant is certified: the ball ||w - centre|| <= radius, or all of R^d (radius = inf)."""

    radius: float = math.inf
    centre: np.ndarray | None = None  # None: the origin

    def __post_init__(self):
        r = float(self.radius)
        if math.isnan(r) or r <= 0:
            raise ParameterError("radius", f"a domain's radius must be positive, got {self.radius!r}")
        object.__setattr__(self, "radius", r)
        if self.centre is not None:
            object.__setattr__(self, "centre", check_finite("centre", self.centre, ndim=(1,)).copy())

    @classmethod
    def everywhere(cls) -> "Domain":
        """All of R^d: a global certificate."""
        return cls(math.inf, None)

    @classmethod
    def ball(cls, radius: float, centre=None) -> "Domain":
        return cls(radius, centre)

    @property
    def is_global(self) -> bool:
        return math.isinf(self.radius)

    def centre_in(self, dim: int) -> np.ndarray:
        if self.centre is None:
            return np.zeros(dim)
        if self.centre.shape != (dim,):
            raise ParameterError("centre", f"has shape {self.centre.shape}, the family has dimension {dim}")
        return self.centre

    @property
    def max_norm(self) -> float:
        """sup ||w|| over the domain: ||centre|| + radius."""
        c = 0.0 if self.centre is None else float(np.linalg.norm(self.centre))
        return c + self.radius

    def contains(self, w) -> np.ndarray | bool:
        """Membership of each point (the last axis is the coordinate axis)."""
        if self.is_global:
            w = np.asarray(w, dtype=np.float64)
            return np.ones(w.shape[:-1], dtype=bool) if w.ndim > 1 else True
        w = np.asarray(w, dtype=np.float64)
        dist = np.linalg.norm(w - self.centre_in(w.shape[-1]), axis=-1)
        inside = dist <= self.radius * (1 + DOMAIN_RTOL)
        return inside if np.ndim(inside) else bool(inside)

    def outside_message(self, w) -> str | None:
        """None when every point is in the domain; else what lies outside, and how far."""
        if self.is_global:
            return None
        inside = np.asarray(self.contains(w))
        if np.all(inside):
            return None
        w = np.asarray(w, dtype=np.float64)
        dist = np.linalg.norm(w - self.centre_in(w.shape[-1]), axis=-1)
        return (f"{int(np.size(inside) - np.count_nonzero(inside))} point(s) lie outside {self}; the farthest is "
                f"at distance {float(np.max(dist)):.6g} from the centre, so the certified constants do not apply")

    def require(self, w, name: str = "w") -> None:
        """Raise ``OutsideDomain`` naming ``name`` unless every point is in the domain."""
        msg = self.outside_message(w)
        if msg is not None:
            raise OutsideDomain(name, msg)

    def enlarged(self, extra: float) -> "Domain":
        """The ball with the same centre and radius + extra (every point within ``extra`` of this domain)."""
        return Domain(self.radius + float(extra), self.centre)

    def sample(self, rng: np.random.Generator, n: int, dim: int, *, scale: float = 1.0) -> np.ndarray:
        """n points drawn uniformly from the ball (a global domain: Gaussian points of standard deviation ``scale``)."""
        if self.is_global:
            return scale * rng.standard_normal((n, dim))
        direction = rng.standard_normal((n, dim))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        radius = self.radius * rng.random(n) ** (1.0 / dim)
        return self.centre_in(dim) + radius[:, None] * direction

    def __repr__(self) -> str:
        if self.is_global:
            return "Domain(R^d)"
        c = "0" if self.centre is None else np.array2string(self.centre, precision=3, threshold=8, edgeitems=3)
        return f"Domain(||w - {c}|| <= {self.radius:.6g})"


@dataclass(frozen=True)
class Constant:
    """One certified constant: ``value`` holds on ``domain``; ``exact`` says it is the supremum there.

    ``estimated``: the value is not derived but found by a search (a lower bound on the supremum, as
    for a neural network's constants); every verdict resting on it is conditional on it.
    """

    value: float
    domain: Domain
    exact: bool
    derivation: str
    estimated: bool = False

    def __post_init__(self):
        v = float(self.value)
        if math.isnan(v) or v < 0:
            raise ParameterError("value", f"a certified constant must be a nonnegative number, got {self.value!r}")
        object.__setattr__(self, "value", v)

    def __float__(self) -> float:
        return self.value


@dataclass(frozen=True)
class Constants:
    """L, rho, sigma, sigma~, sigma_H of Assumptions 4.3-4.6, each with its domain and derivation."""

    L: Constant
    rho: Constant
    sigma: Constant
    sigma_tilde: Constant
    sigma_H: Constant

    NAMES = ("L", "rho", "sigma", "sigma_tilde", "sigma_H")

    def values(self) -> dict[str, float]:
        """Plain floats keyed by the registry's symbol names (``L``, ``rho``, ``sigma``, ``sigma_tilde``, ``sigma_H``)."""
        return {n: getattr(self, n).value for n in self.NAMES}

    def __iter__(self):
        return iter((n, getattr(self, n)) for n in self.NAMES)


@dataclass(frozen=True, eq=False)
class Batch:
    """The data batches D^i of one draw, one per task of ``tasks``: the same batch may be reused at several points.

    ``size`` is the number of samples per task, or ``EXACT`` for the exact oracle.
    ``data`` is family specific (sample indices, noise seeds); None for a deterministic family.
    """

    tasks: np.ndarray
    size: int | str
    data: Any = None

    @property
    def is_exact(self) -> bool:
        return self.size == EXACT

    @property
    def samples(self) -> int:
        """Per-sample oracle evaluations one use of this batch costs (0 for the exact oracle)."""
        return 0 if self.is_exact else int(self.size) * len(self.tasks)


@dataclass(eq=False)
class Family(abc.ABC):
    """A distribution over tasks f_i (probabilities p_i) with vectorised oracles and certified constants."""

    dim: int
    probabilities: np.ndarray
    domain: Domain = field(default_factory=Domain.everywhere)

    #: short name used in reports
    name = "family"
    #: every f_i is exactly quadratic in w (enables the closed forms of F-hat)
    is_quadratic = False
    #: stochastic oracles equal the exact ones (sigma~ = sigma_H = 0)
    is_deterministic = True

    def __post_init__(self):
        if isinstance(self.dim, bool) or not isinstance(self.dim, (int, np.integer)) or self.dim < 1:
            raise ParameterError("dim", f"the dimension must be a positive integer, got {self.dim!r}")
        self.dim = int(self.dim)
        p = check_finite("probabilities", self.probabilities, ndim=(1,))
        if p.size == 0 or np.any(p < 0) or not math.isclose(float(p.sum()), 1.0, rel_tol=1e-12, abs_tol=1e-12):
            raise ParameterError("probabilities", "task probabilities p_i must be nonnegative and sum to 1")
        self.probabilities = p / p.sum()
        if not isinstance(self.domain, Domain):
            raise ParameterError("domain", f"expected a Domain, got {self.domain!r}")
        self.domain.centre_in(self.dim)

    # ------------------------------------------------------------------ what implementers provide
    @abc.abstractmethod
    def _loss(self, W: np.ndarray, tasks: np.ndarray) -> np.ndarray:
        """f_i(w_t) for each row: W (T, d), tasks (T,) -> (T,)."""

    @abc.abstractmethod
    def _gradient(self, W: np.ndarray, tasks: np.ndarray) -> np.ndarray:
        """grad f_i(w_t): (T, d)."""

    @abc.abstractmethod
    def _hessian(self, W: np.ndarray, tasks: np.ndarray) -> np.ndarray:
        """grad^2 f_i(w_t): (T, d, d), symmetric."""

    @abc.abstractmethod
    def constants_on(self, domain: Domain) -> Constants:
        """L, rho, sigma, sigma~, sigma_H certified on ``domain`` (a family may refuse a domain it cannot certify)."""

    def loss_infimum(self) -> np.ndarray | None:
        """A lower bound on inf_w f_i(w) for each task (shape (n,)), or None where the family declares none.

        Theorems F.1, G.1 and H.1 start from Delta = F(w_0) - min F; F(w) = E_i f_i(w - alpha grad f_i(w))
        is at least E_i of these bounds, which gives Delta an upper bound, and so the iteration budget T.
        A family without one is not run by the convergence checks (they say why).
        """
        return None

    def _hvp(self, W: np.ndarray, V: np.ndarray, tasks: np.ndarray) -> np.ndarray:
        return np.einsum("tij,tj->ti", self._hessian(W, tasks), V)

    def _gradient_pair(self, W2: np.ndarray, tasks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """grad f_i at the two point sets W2[0] and W2[1] (each (T, d)): the central difference (11).

        W2 is (2, T, d).  A family that can evaluate both points in one call more cheaply than
        in two overrides this; each point's gradient must stay the number ``_gradient`` gives
        there.  None of the built-in families does: their gradients are einsum contractions
        whose cost is arithmetic, not reading the task data (measured: one stacked einsum over
        A_i for both points of a dense quadratic took as long as two gradient calls).
        """
        return self._gradient(W2[0], tasks), self._gradient(W2[1], tasks)

    def _per_task(self, name: str, tasks: np.ndarray) -> np.ndarray:
        """The per-task parameter ``self.<name>`` (task axis first) for the rows ``tasks``, gathered once per batch.

        Why: one iteration reads its task batch at up to four points (the inner step (4), the
        outer gradient, the two points of (11)), and gathering ``A[tasks]`` (B d^2 floats for
        quadratic tasks) at each call cost most of a gradient.  The gather is kept for the last
        read-only task array seen: the algorithms' batches and ``task_indices()`` are read-only,
        so their entries cannot change under the memo (a caller's writable array is gathered
        per call, as any array would be).  Every task in order (``ALL_TASKS``) is the parameter
        array itself, no copy.  A parameter replaced on the family (not edited in place: the
        families never do that) is gathered anew.
        """
        full = getattr(self, name)
        memo = self.__dict__.get("_per_task_memo")
        if memo is not None and memo[0] is tasks:
            hit = memo[2].get(name)
            if hit is not None and hit[0] is full:
                return hit[1]
        elif tasks.flags.writeable:
            return full[tasks]
        else:
            every = len(tasks) == self.n_tasks and bool(np.array_equal(tasks, self._every_task()))
            memo = self.__dict__["_per_task_memo"] = (tasks, every, {})
        hit = memo[2].get(name)
        if hit is None or hit[0] is not full:
            hit = memo[2][name] = (full, full if memo[1] else full[tasks])
        return hit[1]

    def _every_task(self) -> np.ndarray:
        """0, ..., n - 1 as one read-only array (what ``task_indices()`` returns), made once."""
        every = self.__dict__.get("_every_task_index")
        if every is None or len(every) != self.n_tasks:
            every = np.arange(self.n_tasks)
            every.flags.writeable = False
            self.__dict__["_every_task_index"] = every
        return every

    # Stochastic oracles: a deterministic family's batch oracles are its exact oracles.
    def _draw_batch_data(self, tasks: np.ndarray, size: int, rng: np.random.Generator) -> Any:
        return None

    def _batch_loss(self, W, batch: Batch):
        return self._loss(W, batch.tasks)

    def _batch_gradient(self, W, batch: Batch):
        return self._gradient(W, batch.tasks)

    def _batch_hessian(self, W, batch: Batch):
        return self._hessian(W, batch.tasks)

    def _batch_hvp(self, W, V, batch: Batch):
        return self._hvp(W, V, batch.tasks)

    def per_sample_gradient_moments(self, W: np.ndarray, tasks: np.ndarray):
        """Covariance terms of ONE sample that make F-hat (3) and its gradient (66) closed form, or None.

        For quadratic f_i with per-sample gradient g_theta(w) and Hessian H_theta, returns
        t_i = E_theta (g_theta - g_i)' A_i (g_theta - g_i)  and
        s_i = E_theta (H_theta - A_i) A_i (g_theta - g_i)   (shapes (T,), (T, d)),
        so that F-hat = F + alpha^2/(2 D_test) E_i t_i and grad F-hat = grad F + alpha^2/D_test E_i s_i.
        A deterministic family has t = s = 0 (then F-hat = F exactly, whatever f_i is).
        """
        if self.is_deterministic:
            W = np.asarray(W)
            return np.zeros(W.shape[0]), np.zeros_like(W)
        return None

    def batch_law(self, tasks, size) -> tuple[Batch, np.ndarray]:
        """Every outcome of one data batch of ``size`` samples for each task, and its probability.

        The K outcomes are stacked in one Batch: rows k n .. (k + 1) n - 1 (n = len(tasks)) are
        the tasks under outcome k, so an expectation over the batch is the probability-weighted
        sum over k of a vectorised evaluation, exact.  A deterministic family has one outcome,
        the exact oracle (as has the ``EXACT`` batch); a family whose batches have no finite law refuses
        (``ParameterError``).
        """
        t = self.task_indices(tasks)
        size = check_batch_size("size", size)
        if self.is_deterministic or size == EXACT:
            return Batch(t, EXACT, None), np.ones(1)
        raise ParameterError("family", f"{type(self).__name__}'s batches have no finite law to enumerate")

    def gradient_noise_second_moment(self, W: np.ndarray, tasks: np.ndarray):
        """E||grad~ f_i(w, D) - grad f_i(w)||^2 for a batch D of ONE sample, per row of W (T, d), or None.

        Batches are i.i.d. samples, so a batch of D samples has 1/D of it: then
        E_D||grad~ f_i(w, D)||^2 = ||grad f_i(w)||^2 + this / D exactly (Assumption 4.6's unbiased
        oracle), which lets a second moment be estimated with that batch integrated out.
        A deterministic family has 0; None where the family cannot say.
        """
        if self.is_deterministic:
            return np.zeros(np.asarray(W).shape[0])
        return None

    # ------------------------------------------------------------------ public, validated oracles
    @property
    def n_tasks(self) -> int:
        return int(self.probabilities.shape[0])

    @property
    def constants(self) -> Constants:
        """The constants certified on the family's own domain (computed once per domain)."""
        cached = self.__dict__.get("_constants_cache")
        if cached is None or cached[0] is not self.domain:
            cached = (self.domain, self.constants_on(self.domain))
            self.__dict__["_constants_cache"] = cached
        return cached[1]

    def with_domain(self, domain: Domain) -> "Family":
        """The same tasks with constants certified on ``domain`` instead."""
        if not isinstance(domain, Domain):
            raise ParameterError("domain", f"expected a Domain, got {domain!r}")
        domain.centre_in(self.dim)
        other = copy.copy(self)
        other.domain = domain
        other.__dict__.pop("_constants_cache", None)
        other.__dict__.pop("_per_task_memo", None)
        return other

    def require_in_domain(self, w, name: str = "w") -> None:
        self.domain.require(w, name)

    def task_indices(self, tasks=None) -> np.ndarray:
        if tasks is None:
            return self._every_task()
        return check_task_batch("tasks", tasks, self.n_tasks)

    def points(self, w, n_rows: int, name: str = "w") -> np.ndarray:
        """``w`` validated and broadcast to shape (n_rows, d)."""
        arr = check_finite(name, w, ndim=(1, 2))
        if arr.shape[-1] != self.dim:
            raise ParameterError(name, f"has {arr.shape[-1]} coordinates, the family has dimension {self.dim}")
        if arr.ndim == 1:
            return repeated_rows(arr, n_rows)
        if arr.shape[0] != n_rows:
            raise ParameterError(name, f"has {arr.shape[0]} rows for {n_rows} tasks")
        return arr

    def loss(self, w, tasks=None) -> np.ndarray:
        t = self.task_indices(tasks)
        return self._loss(self.points(w, len(t)), t)

    def gradient(self, w, tasks=None) -> np.ndarray:
        t = self.task_indices(tasks)
        return self._gradient(self.points(w, len(t)), t)

    def hessian(self, w, tasks=None) -> np.ndarray:
        t = self.task_indices(tasks)
        return self._hessian(self.points(w, len(t)), t)

    def hvp(self, w, v, tasks=None) -> np.ndarray:
        t = self.task_indices(tasks)
        return self._hvp(self.points(w, len(t)), self.points(v, len(t), "v"), t)

    def sample_tasks(self, size, rng: np.random.Generator) -> np.ndarray:
        """A batch of ``size`` i.i.d. task indices drawn with probabilities p_i (B_k of Algorithm 1)."""
        return self._sample_tasks(check_batch_size("B", size, allow_exact=False), check_rng(rng))

    # The cores below take validated arguments (a task batch size, a Generator, an index array, a
    # batch size or EXACT, points of shape (rows, d)): the public methods above and below validate
    # and call them, and the algorithms' loops (verify/model/algorithms.py) call them directly,
    # having validated their own arguments once.
    def _sample_tasks(self, size: int, rng: np.random.Generator) -> np.ndarray:
        tasks = rng.choice(self.n_tasks, size=size, p=self.probabilities)
        tasks.flags.writeable = False  # a batch's tasks are fixed once drawn (``_per_task`` relies on it)
        return tasks

    def _draw(self, t: np.ndarray, size, rng: np.random.Generator | None) -> Batch:
        if size == EXACT:
            return Batch(t, EXACT, None)
        return Batch(t, size, self._draw_batch_data(t, size, rng))

    def _oracle_gradient(self, W: np.ndarray, b: Batch) -> np.ndarray:
        return self._gradient(W, b.tasks) if b.is_exact else self._batch_gradient(W, b)

    def _oracle_hessian(self, W: np.ndarray, b: Batch) -> np.ndarray:
        return self._hessian(W, b.tasks) if b.is_exact else self._batch_hessian(W, b)

    def _oracle_hvp(self, W: np.ndarray, V: np.ndarray, b: Batch) -> np.ndarray:
        return self._hvp(W, V, b.tasks) if b.is_exact else self._batch_hvp(W, V, b)

    def _oracle_gradient_pair(self, W2: np.ndarray, b: Batch) -> tuple[np.ndarray, np.ndarray]:
        """grad~ f_i(W2[0], D^i) and grad~ f_i(W2[1], D^i) with the same batch D^i, as (11) requires."""
        if b.is_exact:
            return self._gradient_pair(W2, b.tasks)
        return self._batch_gradient(W2[0], b), self._batch_gradient(W2[1], b)

    def draw_batch(self, tasks, size, rng: np.random.Generator | None = None, *, name: str = "D") -> Batch:
        """One data batch D^i of ``size`` samples for each task in ``tasks`` (``EXACT``: the exact oracle)."""
        t = self.task_indices(tasks)
        size = check_batch_size(name, size)
        if size == EXACT:
            return Batch(t, EXACT, None)
        if isinstance(size, str):
            raise ParameterError(name, f"{size!r} is not a data batch size")
        if rng is None and not self.is_deterministic:
            raise ParameterError("rng", "a stochastic batch needs a numpy Generator")
        check_rng(rng, required=False)
        return self._draw(t, size, rng)

    def _check_batch(self, batch: Batch) -> Batch:
        if not isinstance(batch, Batch):
            raise ParameterError("batch", f"expected a Batch from draw_batch, got {type(batch).__name__}")
        return batch

    def batch_loss(self, w, batch: Batch) -> np.ndarray:
        """f_i(w, D) := mean over theta in D of f_i(w, theta)."""
        b = self._check_batch(batch)
        W = self.points(w, len(b.tasks))
        return self._loss(W, b.tasks) if b.is_exact else self._batch_loss(W, b)

    def batch_gradient(self, w, batch: Batch) -> np.ndarray:
        """grad~ f_i(w, D) of Section 1: the mean of per-sample gradients over the batch."""
        b = self._check_batch(batch)
        return self._oracle_gradient(self.points(w, len(b.tasks)), b)

    def batch_hessian(self, w, batch: Batch) -> np.ndarray:
        """grad~^2 f_i(w, D): the mean of per-sample Hessians over the batch."""
        b = self._check_batch(batch)
        return self._oracle_hessian(self.points(w, len(b.tasks)), b)

    def batch_hvp(self, w, v, batch: Batch) -> np.ndarray:
        """grad~^2 f_i(w, D) v without forming the Hessian."""
        b = self._check_batch(batch)
        return self._oracle_hvp(self.points(w, len(b.tasks)), self.points(v, len(b.tasks), "v"), b)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, d={self.dim}, tasks={self.n_tasks}, domain={self.domain})"


def repeated_rows(w: np.ndarray, n: int) -> np.ndarray:
    """The point w as n identical rows, shape (n, d): a read-only view, no copy (``np.broadcast_to``'s array).

    Made directly from w's buffer: the oracles take one point per task, and ``np.broadcast_to``'s
    own work cost a sizeable part of a small gradient call.
    """
    if w.ndim != 1 or not w.flags.c_contiguous or w.dtype != np.float64:
        return np.broadcast_to(w, (n, w.shape[-1]))
    rows = np.ndarray((n, w.shape[0]), np.float64, w, 0, (0, w.strides[0]))
    rows.flags.writeable = False
    return rows


def spectral_norm(M: np.ndarray) -> np.ndarray:
    """||M||, the largest singular value, for matrices stacked on the leading axes.

    A symmetric stack is normed by its eigenvalues (cheaper, the same value).  Any other
    matrix by its singular values: eigvalsh reads only one triangle, and for a product such as
    I - A_i(w)(I - alpha H_i) of (39) it returned a norm 1.6% too small (measured), which made
    a true bound look violated.
    """
    M = np.asarray(M)
    # Symmetric up to rounding (a Hessian assembled from terms): eigvalsh's value is then within
    # rounding of the singular value's.
    asymmetry = np.max(np.abs(M - np.swapaxes(M, -1, -2)), initial=0.0)
    if asymmetry <= _SYMMETRY_TOLERANCE * np.max(np.abs(M), initial=0.0):
        return np.abs(np.linalg.eigvalsh(M)).max(axis=-1)
    return np.linalg.norm(M, ord=2, axis=(-2, -1))


# Relative asymmetry below which a matrix counts as symmetric for spectral_norm: a few roundings.
_SYMMETRY_TOLERANCE = 64 * np.finfo(float).eps


def check_radius(radius) -> float:
    return check_positive("radius", radius)
