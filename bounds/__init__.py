"""The paper's results as data: ``from bounds import BOUNDS`` maps id -> Bound.

Every package here whose name does not start with an underscore is one result of Fallah,
Mokhtari, Ozdaglar, "On the Convergence Theory of Gradient-Based Model-Agnostic Meta-Learning
Algorithms", named after it (``lemma_4_8``, ``theorem_f_1``, ``eq_9_finite_difference_hvp``):
its statement in ``statement.py``, the displays of its proof in ``displays.py``, the exact
arithmetic steps of its proof in ``arithmetic.py``.  Each Bound a module defines at module level
is registered here, once, by discovery.  ``python -m bounds.where "(84)"`` finds a result by its
equation number.  Nothing else lists the results: checks,
report and gate all read ``BOUNDS``.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import MappingProxyType

from bounds import _symbols as symbols
from ._core import (Assessment, Bound, BoundError, Definition, Kind, Precondition, PreconditionFailed,
    Relation, Sharpness, SharpnessStatus, CompiledExpression, compiled, evaluate)
from ._render import bound_latex, bound_mathml, latex, mathml, precondition_mathml
from ._taskmean import MatrixTaskMean, TaskMean, instantiate

__all__ = [
    "BOUNDS",
    "Assessment",
    "Bound",
    "BoundError",
    "CompiledExpression",
    "Definition",
    "Kind",
    "MatrixTaskMean",
    "Precondition",
    "PreconditionFailed",
    "Relation",
    "Sharpness",
    "SharpnessStatus",
    "TaskMean",
    "bound_latex",
    "bound_mathml",
    "compiled",
    "corrections_of",
    "evaluate",
    "instantiate",
    "latex",
    "mathml",
    "precondition_mathml",
    "symbols",
]


def _result_modules():
    """Every module of every result package (``bounds/<result>/statement.py``, ``displays.py``, ``arithmetic.py``)."""
    for pkg in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if pkg.name.startswith("_") or not pkg.ispkg:
            continue
        package = importlib.import_module(f"{__name__}.{pkg.name}")
        for mod in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            yield importlib.import_module(f"{package.__name__}.{mod.name}")


def _discover() -> dict[str, Bound]:
    found: dict[str, Bound] = {}
    for module in _result_modules():
        for value in vars(module).values():
            if not isinstance(value, Bound) or value.module != module.__name__:
                continue
            if value.id in found and found[value.id] is not value:
                raise BoundError(
                    f"bound id {value.id!r} is declared in both {found[value.id].module} and {module.__name__}"
                )
            found[value.id] = value
    for bound in found.values():
        # A corrected statement names the printed one it replaces; a correction of a correction
        # would hide which statement the paper prints.
        target = found.get(bound.corrects) if bound.corrects else None
        if bound.corrects and target is None:
            raise BoundError(f"{bound.id} corrects {bound.corrects!r}, which is not a Bound of the registry")
        if target is not None and target.corrects:
            raise BoundError(f"{bound.id} corrects {target.id}, itself a correction of {target.corrects}: "
                             f"correct the printed statement {target.corrects} instead")
    return found


def corrections_of(bound_id: str) -> tuple[Bound, ...]:
    """The corrected statements registered for the printed Bound ``bound_id`` (the erratum's entries)."""
    return tuple(b for b in BOUNDS.values() if b.corrects == bound_id)


BOUNDS = MappingProxyType(_discover())
