"""A user's task family named on a command line as ``package.module:factory``.

The factory is called with no arguments and must return a ``Family``
(verify/model/families/base.py; the README's "Your own task family").  The module is
imported as Python would from the current directory, so a family in ``./my_tasks.py``
is ``my_tasks:make_family``.
"""
from __future__ import annotations

import importlib
import os
import sys

from verify.model.errors import ParameterError
from verify.model.families import Family

__all__ = ["load_family"]


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
