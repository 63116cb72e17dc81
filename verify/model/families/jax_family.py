"""A family whose tasks are given by a JAX loss: a real network on a task distribution (the ``jax`` extra).

    f_i(w) = (1/N) sum_j loss(w, sample_ij)       the mean of task i's N samples

``loss(w, sample)`` is a JAX function of the flat parameter vector w (shape (d,)) and one
sample (a pytree of arrays, e.g. ``(x, y)``); ``data`` holds every task's samples, a pytree
whose leaves have leading axes (n tasks, N samples).  A task's data distribution is uniform
over its N samples (Section 1: f_i(w) = E_theta f_i(w, theta)), so a data batch of D samples
is D indices drawn uniformly with replacement, and every oracle is exact:

* the gradient is ``jax.grad`` of the task loss, the Hessian-vector product ``jax.jvp`` of that
  gradient (forward over reverse: one pass, never the Hessian), the Hessian ``jax.hessian``
  where d <= ``hessian_max_dim``;
* each is vmapped over the tasks of a call and jit-compiled once, in float64 (``jax_enable_x64``);
* the per-sample (batch) versions average the same functions over the batch's samples; a batch
  of one sample has a finite law (N outcomes, 1/N each), so sigma~ and sigma_H are computed
  exactly wherever the search looks.

A network's constants cannot be certified on all of R^d.  Unless given, they are *estimated*
on the family's ball by the search of verify/model/constants.py (``estimate_constants``): each
is the largest value the search found, a lower bound on the supremum, and is labelled
``estimated``; every verdict that rests on them is conditional on them.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from verify.model.errors import ParameterError
from .base import Batch, Constant, Constants, Domain, Family

__all__ = ["JaxFamily", "jax_available"]


def jax_available() -> bool:
    try:
        import jax  # noqa: F401
    except ImportError:
        return False
    return True


def _jax():
    try:
        import jax
    except ImportError:
        raise ParameterError("loss", 'a JaxFamily needs JAX: pip install -e ".[jax]"') from None
    jax.config.update("jax_enable_x64", True)
    return jax


class JaxFamily(Family):
    """Tasks f_i(w) = mean_j loss(w, sample_ij) of a JAX loss, with exact vmapped, jitted oracles (module docstring)."""

    is_deterministic = False

    def __init__(self, loss: Callable, data: Any, dim: int, *, domain: Domain, probabilities=None,
                 name: str = "jax", constants: Constants | None = None, constants_budget: str = "quick",
                 constants_seed: int = 0, hessian_max_dim: int = 512, loss_floor: float | None = None):
        jax = _jax()
        import jax.numpy as jnp

        if not callable(loss):
            raise ParameterError("loss", f"must be a function loss(w, sample), got {type(loss).__name__}")
        leaves = jax.tree_util.tree_leaves(data)
        if not leaves:
            raise ParameterError("data", "holds no arrays: give each task's samples, leaves of shape (n, N, ...)")
        shapes = {np.shape(leaf)[:2] for leaf in leaves}
        if len(shapes) != 1 or len(next(iter(shapes))) != 2 or min(next(iter(shapes))) < 1:
            raise ParameterError("data", f"every leaf must have leading axes (n tasks, N samples), got {shapes}")
        n, N = next(iter(shapes))
        for leaf in leaves:
            if not np.all(np.isfinite(np.asarray(leaf, dtype=float))):
                raise ParameterError("data", "contains NaN or infinity")
        if domain.is_global:
            raise ParameterError("domain", "a JaxFamily's constants are estimated on a ball: give Domain.ball(R)")
        self.data = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype=jnp.float64), data)
        self.samples_per_task = int(N)
        self.hessian_max_dim = int(hessian_max_dim)
        if loss_floor is not None and not np.isfinite(float(loss_floor)):
            raise ParameterError("loss_floor", f"must be a finite lower bound on every sample's loss, got {loss_floor!r}")
        self.loss_floor = None if loss_floor is None else float(loss_floor)
        self._given_constants = constants
        self.constants_budget = constants_budget
        self.constants_seed = int(constants_seed)
        p = np.full(n, 1.0 / n) if probabilities is None else probabilities
        super().__init__(dim=dim, probabilities=p, domain=domain)
        self.name = name
        self._compile(jax, jnp, loss)
        probe = np.asarray(self._f_loss(jnp.zeros((1, self.dim)), self._take(np.zeros(1, dtype=int))))
        if probe.shape != (1,):
            raise ParameterError("loss", f"must return one number per sample; f_i at w = 0 has shape {probe.shape}")

    # ------------------------------------------------------------------ compiled oracles
    def _compile(self, jax, jnp, loss):
        def task_loss(w, task_data):  # the mean over the task's samples (leading axis N)
            return jnp.mean(jax.vmap(loss, in_axes=(None, 0))(w, task_data))

        def batch_loss(w, task_data, idx):  # the mean over the batch's samples idx (D,)
            picked = jax.tree_util.tree_map(lambda a: a[idx], task_data)
            return jnp.mean(jax.vmap(loss, in_axes=(None, 0))(w, picked))

        def hvp(f):
            g = jax.grad(f)
            return lambda w, v, *rest: jax.jvp(lambda x: g(x, *rest), (w,), (v,))[1]

        vm = lambda f, axes: jax.jit(jax.vmap(f, in_axes=axes))  # noqa: E731
        self._f_loss = vm(task_loss, (0, 0))
        self._f_grad = vm(jax.grad(task_loss), (0, 0))
        self._f_hess = vm(jax.hessian(task_loss), (0, 0))
        self._f_hvp = vm(hvp(task_loss), (0, 0, 0))
        self._b_loss = vm(batch_loss, (0, 0, 0))
        self._b_grad = vm(jax.grad(batch_loss), (0, 0, 0))
        self._b_hess = vm(jax.hessian(batch_loss), (0, 0, 0))
        self._b_hvp = vm(hvp(batch_loss), (0, 0, 0, 0))
        self._jnp = jnp
        self._tree_map = jax.tree_util.tree_map

    def _take(self, tasks: np.ndarray):
        idx = self._jnp.asarray(np.asarray(tasks, dtype=np.int64))
        return self._tree_map(lambda a: a[idx], self.data)

    def _out(self, x) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)

    def _check_hessian_dim(self):
        if self.dim > self.hessian_max_dim:
            raise ParameterError("hessian_max_dim", f"d = {self.dim} is above {self.hessian_max_dim}: the Hessian "
                                                    "is not formed (use Hessian-vector products, or raise the cap)")

    def _loss(self, W, tasks):
        return self._out(self._f_loss(W, self._take(tasks)))

    def _gradient(self, W, tasks):
        return self._out(self._f_grad(W, self._take(tasks)))

    def _hessian(self, W, tasks):
        self._check_hessian_dim()
        return self._out(self._f_hess(W, self._take(tasks)))

    def _hvp(self, W, V, tasks):
        return self._out(self._f_hvp(W, V, self._take(tasks)))

    def loss_infimum(self) -> np.ndarray | None:
        """``loss_floor`` (a lower bound on every sample's loss, e.g. 0 for a squared error) for every task."""
        return None if self.loss_floor is None else np.full(self.n_tasks, self.loss_floor)

    # ------------------------------------------------------------------ data batches
    def _draw_batch_data(self, tasks: np.ndarray, size: int, rng: np.random.Generator):
        return rng.integers(0, self.samples_per_task, size=(len(tasks), int(size)))

    def _batch_args(self, batch: Batch):
        return self._take(batch.tasks), self._jnp.asarray(batch.data)

    def _batch_loss(self, W, batch: Batch):
        return self._out(self._b_loss(W, *self._batch_args(batch)))

    def _batch_gradient(self, W, batch: Batch):
        return self._out(self._b_grad(W, *self._batch_args(batch)))

    def _batch_hessian(self, W, batch: Batch):
        self._check_hessian_dim()
        return self._out(self._b_hess(W, *self._batch_args(batch)))

    def _batch_hvp(self, W, V, batch: Batch):
        return self._out(self._b_hvp(W, V, *self._batch_args(batch)))

    def batch_law(self, tasks, size) -> tuple[Batch, np.ndarray]:
        """A batch of one sample: N outcomes, 1/N each (exact expectations over one sample); larger ones refuse."""
        from verify.model.errors import EXACT, check_batch_size

        t = self.task_indices(tasks)
        size = check_batch_size("size", size)
        if size == EXACT:
            return Batch(t, EXACT, None), np.ones(1)
        if size != 1:
            raise ParameterError("size", f"a JaxFamily enumerates batches of one sample only, not {size}")
        N = self.samples_per_task
        outcomes = np.repeat(np.arange(N), len(t))[:, None]
        return Batch(np.tile(t, N), 1, outcomes), np.full(N, 1.0 / N)

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        """The given constants, or those estimated on a ball (module docstring).  A ball inside the family's own gets
        the estimates of the family's ball (a supremum over a smaller set is no larger): a check that certifies
        many small balls costs one search."""
        if self._given_constants is not None:
            return self._given_constants
        if domain.is_global:
            raise ParameterError("domain", "a JaxFamily's constants are estimated on a ball, not on R^d")
        if self._inside_own_ball(domain):
            if "_estimated" not in self.__dict__:
                self.__dict__["_estimated"] = self._estimate(self.domain)
            return self.__dict__["_estimated"]
        return self._estimate(domain)

    def _estimate(self, domain: Domain) -> Constants:
        from verify.model.constants import estimate_constants

        probe = JaxFamily.__new__(JaxFamily)
        probe.__dict__.update(self.__dict__)
        probe.domain = domain
        probe.__dict__.pop("_constants_cache", None)
        found = estimate_constants(probe, np.random.default_rng(self.constants_seed), budget=self.constants_budget)
        words = (f"estimated: the largest value the search of verify/model/constants.py found on {domain!r} "
                 f"(budget {self.constants_budget}, seed {self.constants_seed}), a lower bound on the supremum")
        return Constants(**{name: Constant(r.largest if r.applies else 0.0, domain, False, f"{words}; {r.how}",
                                           estimated=True) for name, r in found.items()})

    def _inside_own_ball(self, domain: Domain) -> bool:
        own = self.domain
        gap = float(np.linalg.norm(domain.centre_in(self.dim) - own.centre_in(self.dim)))
        return gap + domain.radius <= own.radius * (1 + 1e-12)

    def __repr__(self) -> str:
        return (f"JaxFamily({self.name!r}, d={self.dim}, {self.n_tasks} tasks x {self.samples_per_task} samples, "
                f"{self.domain!r})")
