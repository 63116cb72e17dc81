"""Where a result of the paper lives: ``python -m bounds.where "(84)"`` prints its file and Bound ids.

The query is an equation number ("(84)", "84", "(30a)"), a result's name ("Lemma 4.8",
"Theorem F.1", "Table 1"; "Theorem 4.12" finds Theorem F.1, its general version) or part of a Bound
id ("eq_84").  An equation number also finds the
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
# The main text states Theorems 4.12, 4.15 and 4.17 in O(.) form and proves their general versions in
# the appendices as Theorems F.1, G.1 and H.1, which is where the registry holds them.
PROVED_AS = {"theorem 4.12": "Theorem F.1", "theorem 4.15": "Theorem G.1", "theorem 4.17": "Theorem H.1"}
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
    q = " ".join(query.split())
    if not q:
        return []
    eq = _EQUATION.match(q)
    if eq:
        number, suffix = int(eq.group(1)), eq.group(2)
        return [b for b in BOUNDS.values() if _covers(b.reference, number, suffix)]
    q = PROVED_AS.get(q.lower(), q)
    # A name matches whole: "Lemma 4.1" is not "Lemma 4.10".  An id fragment matches anywhere in the id.
    name = re.compile(r"(?<![\w.])" + re.escape(q) + r"(?![\w]|\.\d)", re.I)
    return [b for b in BOUNDS.values() if name.search(b.reference) or q.lower() in b.id.lower()]


def file_of(bound: Bound) -> str:
    """The file that declares a Bound, relative to the project root (``bounds/theorem_f_1/displays.py``)."""
    return str(Path(*bound.module.split("."))) + ".py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bounds.where", description=__doc__.split("\n\n")[0])
    parser.add_argument("query", help='an equation number such as "(84)", a result such as "Lemma 4.8", '
                                      'or part of a Bound id')
    query = parser.parse_args(sys.argv[1:] if argv is None else argv).query
    found = find(query)
    proved_as = PROVED_AS.get(" ".join(query.split()).lower())
    if proved_as:
        print(f"# {query.strip()} is stated in O(.) form in the main text and proved as {proved_as}, "
              f"whose Bounds follow", file=sys.stderr)
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
