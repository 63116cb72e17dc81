"""A user's task family named as ``package.module:factory``, and the families of this run.

The factory is called with no arguments and must return a ``Family``
(verify/model/families/base.py; the README's "Your own task family").  The module is
imported as Python would from the current directory, so a family in ``./my_tasks.py``
is ``my_tasks:make_family``.

``pytest verify --family SPEC`` registers each family here (after its declared constants
passed ``verify.model.constants``) under its SPEC, which is also its family kind in every
check id and report row (``lemma_4_8@my_tasks:make_family``): a recorded instance names the
factory it replays from, so ``python -m verify.replay`` loads it again in a process that did
not register it.
"""
from __future__ import annotations

import importlib
import os
import sys

from verify.model.errors import ParameterError
from verify.model.families import Family

__all__ = ["case_by_id", "cases_for_run", "clear", "is_user_kind", "load_family", "only_user_families", "register", "registered",
           "set_only_user_families", "user_family"]

_REGISTERED: dict[str, Family] = {}
_ONLY_USER = [False]


def load_family(spec: str, option: str = "--family") -> Family:
    """The Family that ``spec`` (``module:factory``) returns; a ``ParameterError`` naming ``option`` otherwise."""
    if not isinstance(spec, str) or spec.count(":") != 1 or not all(spec.split(":")):
        raise ParameterError(option, f"{spec!r} is not of the form package.module:factory")
    module_name, factory_name = spec.split(":")
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ParameterError(option, f"{spec!r}: cannot import {module_name!r} ({exc}) from {cwd} or sys.path") \
            from None
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise ParameterError(option, f"{spec!r}: {module_name} has no callable {factory_name!r}")
    family = factory()
    if not isinstance(family, Family):
        raise ParameterError(option, f"{spec!r}: {factory_name}() returned {type(family).__name__}, not a Family "
                                     "(verify.model.families.Family)")
    return family


def is_user_kind(kind: str) -> bool:
    """A family kind that names a factory (the built-in kinds are words such as ``trigonometric``)."""
    return ":" in kind


def register(spec: str, family: Family) -> None:
    _REGISTERED[spec] = family


def registered() -> tuple[str, ...]:
    """The user families of this run, in the order given."""
    return tuple(_REGISTERED)


def clear() -> None:
    """Forget the run's families (an in-process run must not leave them to the next)."""
    _REGISTERED.clear()
    _ONLY_USER[0] = False


def set_only_user_families(only: bool) -> None:
    _ONLY_USER[0] = bool(only)


def only_user_families() -> bool:
    return _ONLY_USER[0]


def user_family(spec: str) -> Family:
    """The registered family ``spec`` (loaded from its factory where this process has not registered it)."""
    if spec not in _REGISTERED:
        _REGISTERED[spec] = load_family(spec, option="family")
    return _REGISTERED[spec]


def cases_for_run(built_in, bound_ids, user_case) -> list:
    """A check kind's cases for this run: the built-in families' (unless --only-user-families), then
    ``user_case(bound_id, spec)`` for each registered family and Bound where it is not None."""
    user = [c for spec in registered() for b in bound_ids if (c := user_case(b, spec)) is not None]
    return ([] if only_user_families() else list(built_in)) + user


def case_by_id(check_id: str, built_in_by_id: dict, user_case):
    """The case ``bound@kind`` of a check kind, a user's family's included (its factory loaded if need be)."""
    case = built_in_by_id.get(check_id)
    if case is not None:
        return case
    bound_id, _, kind = check_id.partition("@")
    return user_case(bound_id, kind) if is_user_kind(kind) else None
