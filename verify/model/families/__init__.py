"""Task families: distributions over tasks f_i with vectorised oracles and constants certified on a stated domain.

Public face of ``verify.model.families``; ``examples(seed)`` is the one list of small
instances that the unit tests (and any check that wants "every family") iterate over.
"""
from __future__ import annotations

import numpy as np

from .base import Batch, Constant, Constants, Domain, Family
from .noise import NoisyFamily
from .quadratic import QuadraticFamily
from .rank_one import RankOneFamily
from .regression import RegressionFamily
from .trigonometric import TrigonometricFamily

__all__ = [
    "Batch",
    "Constant",
    "Constants",
    "Domain",
    "Family",
    "NoisyFamily",
    "QuadraticFamily",
    "RankOneFamily",
    "RegressionFamily",
    "TrigonometricFamily",
    "EXAMPLES",
    "examples",
]

#: names of the instances ``examples`` builds, one per corner of the hypothesis class
EXAMPLES = (
    "quadratic-indefinite",
    "quadratic-positive-definite",
    "quadratic-concave",
    "quadratic-ball",
    "trigonometric",
    "trigonometric-shared",
    "rank-one",
    "regression",
    "noisy-quadratic",
    "noisy-rank-one",
    "noisy-trigonometric",
)


def examples(seed: int, dim: int = 3, n_tasks: int = 4) -> dict[str, Family]:
    """Small instances of every family, built from ``seed`` (the same seed gives the same instances)."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(n_tasks))
    out: dict[str, Family] = {
        "quadratic-indefinite": QuadraticFamily.random(rng, n_tasks, dim, spectrum="indefinite", probabilities=p),
        "quadratic-positive-definite": QuadraticFamily.random(rng, n_tasks, dim, spectrum="positive_definite",
                                                              domain=Domain.ball(3.0)),
        "quadratic-concave": QuadraticFamily.random(rng, n_tasks, dim, spectrum="concave", shared_hessian=True),
        "quadratic-ball": QuadraticFamily.random(rng, n_tasks, dim, spectrum="mixed", domain=Domain.ball(2.0)),
        "trigonometric": TrigonometricFamily.random(rng, n_tasks, dim, domain=Domain.ball(2.0)),
        "trigonometric-shared": TrigonometricFamily.random(rng, n_tasks, dim, shared_basis=True, probabilities=p),
        "rank-one": RankOneFamily.random(rng, n_tasks, dim, radius=1.5),
        "regression": RegressionFamily.random(rng, n_tasks, dim, samples=12, radius=2.5),
    }
    out["noisy-quadratic"] = NoisyFamily(
        QuadraticFamily.random(rng, n_tasks, dim, spectrum="indefinite", domain=Domain.ball(2.0)), 0.5, 0.3)
    out["noisy-rank-one"] = NoisyFamily(RankOneFamily.random(rng, n_tasks, dim, radius=1.2), 0.2)
    out["noisy-trigonometric"] = NoisyFamily(TrigonometricFamily.random(rng, n_tasks, dim, shared_basis=True), 0.4)
    for name, fam in out.items():
        fam.name = name
        if isinstance(fam, NoisyFamily):
            fam.base.name = name.removeprefix("noisy-")
    return out
