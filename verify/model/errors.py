"""Errors of the numeric core: bad input is refused with the parameter it concerns, never turned into a number.

Every error is a ``ValueError`` subclass carrying ``parameter`` (the name of the
offending argument, in the paper's words) so that a caller, or a check that must
turn an instance outside the hypotheses into a distinct outcome, can tell them apart.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "ALL_TASKS",
    "EXACT",
    "FiniteDifferenceError",
    "NonFiniteValue",
    "OutsideDomain",
    "ParameterError",
    "check_alpha",
    "check_batch_size",
    "check_count",
    "check_finite",
    "check_positive",
    "check_task_batch",
    "require_finite",
]

# Sentinels for the exact limits of the sampled quantities: the whole task
# distribution (weights p_i instead of an i.i.d. batch B_k) and the exact oracle
# (grad f_i instead of a data batch D).  Appendix I runs MAML in exactly this limit.
ALL_TASKS = "all"
EXACT = "exact"


class ParameterError(ValueError):
    """A parameter is malformed or outside the range where the requested object is defined."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}")


class OutsideDomain(ParameterError):
    """A point lies outside the domain on which a family's constants are certified."""


class NonFiniteValue(ParameterError):
    """An array that must be finite contains NaN or infinity (bad input, or an overflow upstream)."""


class FiniteDifferenceError(ParameterError):
    """A finite-difference step so small that rounding error would dominate the difference."""


def check_finite(name: str, value, *, ndim: tuple[int, ...] | None = None) -> np.ndarray:
    """``value`` as a float64 array with only finite entries (and one of the allowed ranks)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(name, f"{value!r} is not an array of numbers") from exc
    if ndim is not None and arr.ndim not in ndim:
        raise ParameterError(name, f"has shape {arr.shape}; expected an array of rank {' or '.join(map(str, ndim))}")
    return require_finite(name, arr)


def require_finite(name: str, arr: np.ndarray) -> np.ndarray:
    """``arr`` (already a float array) if every entry is finite, else ``NonFiniteValue`` naming ``name``.

    The algorithms' cores call this on intermediate points: a non-finite one marks a diverging run.
    """
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise NonFiniteValue(name, f"contains {bad} NaN or infinite entr{'y' if bad == 1 else 'ies'}")
    return arr


def check_positive(name: str, value, *, allow_zero: bool = False) -> float:
    """A finite real scalar that is > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, f"{value!r} is not a real number")
    v = float(value)
    if not math.isfinite(v):
        raise ParameterError(name, f"{value!r} is not finite")
    if v < 0 or (v == 0 and not allow_zero):
        raise ParameterError(name, f"{value!r} must be {'nonnegative' if allow_zero else 'positive'}")
    return v


def check_alpha(alpha) -> float:
    """The inner stepsize alpha of (2) and (4): a finite real alpha >= 0.

    The upper limits (alpha <= 1/L of Lemma 4.8, 1/(6L) of Theorem 4.12, ...) are
    preconditions of the results and live in the registry; objects that are only
    defined under one of them check it there (see ``verify.model.objectives``).
    """
    return check_positive("alpha", alpha, allow_zero=True)


def check_rng(rng, *, required: bool = True):
    """A ``numpy.random.Generator`` (or None where none is needed): every draw replays from a recorded seed.

    A seed or a legacy RandomState is refused: pass ``numpy.random.default_rng(seed)``.
    """
    if rng is None and not required:
        return None
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", f"expected a numpy.random.Generator (numpy.random.default_rng(seed)), got "
                                    f"{type(rng).__name__} {rng!r}"[:200])
    return rng


def check_batch_size(name: str, value, *, allow_exact: bool = True) -> int | str:
    """A batch size D (or B): a positive integer, or ``EXACT`` / ``ALL_TASKS`` for the exact limit."""
    if allow_exact and isinstance(value, str) and value in (EXACT, ALL_TASKS):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(name, f"batch size {value!r} is not an integer")
    if value < 1:
        raise ParameterError(name, f"batch size {value!r} must be at least 1")
    return int(value)


def check_count(name: str, value) -> int:
    """A count such as the dimension d or the number of tasks n: a positive integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ParameterError(name, f"must be a positive integer, got {value!r}")
    return int(value)


def check_task_batch(name: str, tasks, n_tasks: int) -> np.ndarray:
    """Task indices: a 1-d integer array with entries in [0, n_tasks)."""
    arr = np.asarray(tasks)
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(name, f"task indices must be a non-empty 1-d array, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ParameterError(name, f"task indices must be integers, got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() >= n_tasks:
        raise ParameterError(name, f"task indices must lie in [0, {n_tasks}), got range [{arr.min()}, {arr.max()}]")
    return arr.astype(np.intp, copy=False)
