"""Mutations: a registry Bound judged with its constant scaled, without editing a file.

``pytest verify --verify-mutate BOUND_ID=FACTOR`` and the ``mutation`` context scale one
Bound's right side; every check reads its Bound through ``Evidence``'s key, which asks
``effective`` for it, so the whole run judges the stronger (or looser) statement.  A mutated
run's report says so and cannot become the baseline.  The power tests
(tests/test_sharpness*.py) use ``scaled`` directly.
"""
from __future__ import annotations

import contextlib
import dataclasses
from typing import Iterator

import sympy as sp

from bounds import BOUNDS, Bound, Relation

from verify.model.errors import ParameterError

# Bound id -> factor: while set, every check that reads its Bound through its CheckKey sees the
# statement with its constant scaled (``scaled``).  Set by ``pytest verify --verify-mutate`` and
# by ``mutation``; a mutated run's report says so and cannot become the baseline.
_MUTATIONS: dict[str, sp.Expr] = {}


def scaled(bound: Bound, factor) -> Bound:
    """``bound`` with its constant scaled by ``factor``: rhs x factor for <=, rhs / factor for >=.

    Below 1 the statement gets stronger (false once the factor is below its supremum of
    lhs/rhs); above 1 it gets looser.  The id and everything else stay, so the checks,
    the report and the gate treat it as the same result.
    """
    f = sp.nsimplify(factor) if isinstance(factor, float) else sp.sympify(factor)
    if not (f.is_number and f.is_real and f > 0):
        raise ParameterError("factor", f"a mutation factor must be a positive number, got {factor!r}")
    if bound.relation is Relation.LE:
        return dataclasses.replace(bound, rhs=bound.rhs * f)
    if bound.relation is Relation.GE:
        return dataclasses.replace(bound, rhs=bound.rhs / f)
    raise ParameterError("bound", f"{bound.id} is {bound.relation.value}, not an inequality: it has no constant "
                                  "to scale")


def effective(bound: Bound) -> Bound:
    """The Bound the checks are to judge: the registry's, or its mutation while one is active."""
    f = _MUTATIONS.get(bound.id)
    if f is None:
        return bound
    key = (bound.id, f)
    if key not in _SCALED:  # one copy per mutation: its compiled sides are reused like the registry's
        _SCALED[key] = scaled(bound, f)
    return _SCALED[key]


_SCALED: dict[tuple[str, sp.Expr], Bound] = {}


def active_mutations() -> dict[str, float]:
    return {k: float(v) for k, v in sorted(_MUTATIONS.items())}


def set_mutations(mutations: dict[str, float]) -> None:
    """Replace the active mutations (validated: registry ids of inequalities, positive factors)."""
    checked = {}
    for bound_id, factor in mutations.items():
        if bound_id not in BOUNDS:
            raise ParameterError("bound_id", f"{bound_id!r} is not in the registry")
        scaled(BOUNDS[bound_id], factor)  # refuses identities and bad factors, naming them
        checked[bound_id] = sp.nsimplify(factor) if isinstance(factor, float) else sp.sympify(factor)
    _MUTATIONS.clear()
    _MUTATIONS.update(checked)


@contextlib.contextmanager
def mutation(bound_id: str, factor) -> Iterator[None]:
    """Within the block, checks judge ``bound_id`` with its constant scaled by ``factor``."""
    before = dict(_MUTATIONS)
    set_mutations({**{k: v for k, v in before.items()}, bound_id: factor})
    try:
        yield
    finally:
        _MUTATIONS.clear()
        _MUTATIONS.update(before)


def parse_mutation(text: str) -> tuple[str, float]:
    """``BOUND_ID=FACTOR`` from the command line, refused with the parameter named."""
    bound_id, sep, value = text.partition("=")
    if not sep or not bound_id.strip():
        raise ParameterError("--verify-mutate", f"expected BOUND_ID=FACTOR, got {text!r}")
    try:
        factor = float(value)
    except ValueError:
        raise ParameterError("--verify-mutate", f"{value!r} is not a number (in {text!r})") from None
    if not (factor > 0 and factor < float("inf")):
        raise ParameterError("--verify-mutate", f"the factor must be a positive finite number, got {value!r}")
    return bound_id.strip(), factor
