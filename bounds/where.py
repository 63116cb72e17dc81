"""Where a result of the paper lives: ``python -m bounds.where "(84)"`` prints its file and Bound ids.

The query is an equation number ("(84)", "84", "(30a)"), a result's name ("Lemma 4.8",
"Theorem F.1", "Table 1") or part of a Bound id ("eq_84").  An equation number also finds the
Bounds whose reference covers it with a range ("(80)-(82)" holds (81)).  One line per Bound: the
file, the id and the paper reference.  Exit status 1 when nothing matches.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bounds import BOUNDS, Bound

_EQUATION = re.compile(r"^\(?(\d+)([a-z]?)\)?$")
# "(80)", "(30a)", and ranges "(80)-(82)" or "(112)-(122)" in a reference.
_REFERENCED = re.compile(r"\((\d+)([a-z]?)\)(?:\s*-\s*\((\d+)[a-z]?\))?")


def _covers(reference: str, number: int, suffix: str) -> bool:
    for m in _REFERENCED.finditer(reference):
        first, letter, last = int(m.group(1)), m.group(2), m.group(3)
        if last is None:
            if first == number and (not suffix or letter == suffix):
                return True
        elif first <= number <= int(last) and not suffix:
            return True
    return False


def find(query: str) -> list[Bound]:
    """The Bounds a query names, in registry order."""
    q = query.strip()
    if not q:
        return []
    eq = _EQUATION.match(q)
    if eq:
        number, suffix = int(eq.group(1)), eq.group(2)
        return [b for b in BOUNDS.values() if _covers(b.reference, number, suffix)]
    words = q.lower()
    return [b for b in BOUNDS.values() if words in b.reference.lower() or words in b.id.lower()]


def file_of(bound: Bound) -> str:
    """The file that declares a Bound, relative to the project root (``bounds/theorem_f_1/displays.py``)."""
    return str(Path(*bound.module.split("."))) + ".py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bounds.where", description=__doc__.split("\n\n")[0])
    parser.add_argument("query", help='an equation number such as "(84)", a result such as "Lemma 4.8", '
                                      'or part of a Bound id')
    query = parser.parse_args(sys.argv[1:] if argv is None else argv).query
    found = find(query)
    if not found:
        print(f"where: no Bound of the registry refers to {query!r}", file=sys.stderr)
        return 1
    width = max(len(file_of(b)) for b in found)
    idw = max(len(b.id) for b in found)
    for b in found:
        print(f"{file_of(b):<{width}}  {b.id:<{idw}}  {b.reference}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
