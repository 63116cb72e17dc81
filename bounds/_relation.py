"""How a Bound relates its two sides: <=, >=, == or O(.); its own module so the renderer needs no Bound."""
from __future__ import annotations

import enum


class Relation(str, enum.Enum):
    LE = "<="
    GE = ">="
    EQ = "=="
    ORDER = "O"  # lhs = O(rhs) in the variable named by settings["in"]
