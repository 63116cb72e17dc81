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
_REFERENCED = re.compile(r"\((\d+)([a-z]?)\)(?:\s*-\s*\((\d+)([a-z]?)\))?")


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


_EQUATION_TAG = re.compile(r"\((\d{1,3}[a-z]?)\)\s*$", re.M)
NOT_CHECKED = Path(__file__).with_name("NOT_CHECKED.md")


def paper_numbers(text: str) -> set[str]:
    """The equation numbers the paper's text gives its displays: a "(n)" that ends a line."""
    return set(_EQUATION_TAG.findall(text))


def registered_numbers() -> set[str]:
    """The equation numbers some Bound's reference cites by name.

    A single "(n)" counts, and so does a range within one display ("(35a)-(35b)"); a range over
    several displays ("(23)-(29)", "via (54)-(55)") does not, since it does not say which Bound
    checks which display.
    """
    out = set()
    for b in BOUNDS.values():
        for m in _REFERENCED.finditer(b.reference):
            first, letter, last = m.group(1), m.group(2), m.group(3)
            if last is None:
                out.add(first + letter)
            elif last == first:
                out |= {first + letter, first + m.group(4)}
    return out


def not_checked() -> dict[str, str]:
    """The numbers ``bounds/NOT_CHECKED.md`` lists, with the reason it gives."""
    rows = re.findall(r"^\| \((\d+[a-z]?)\) \|[^|]*\|[^|]*\| (.+?) \|\s*$", NOT_CHECKED.read_text(), flags=re.M)
    return dict(rows)


def unregistered(text: str) -> list[str]:
    """The paper's equation numbers in neither the registry nor ``NOT_CHECKED.md``, in order."""
    known = registered_numbers() | set(not_checked())
    return sorted((n for n in paper_numbers(text) if n not in known), key=_order)


def _order(number: str) -> tuple:
    m = re.match(r"(\d+)([a-z]?)", number)
    return int(m.group(1)), m.group(2)


def file_of(bound: Bound) -> str:
    """The file that declares a Bound, relative to the project root (``bounds/theorem_f_1/displays.py``)."""
    return str(Path(*bound.module.split("."))) + ".py"


def main(argv: list[str] | None = None, prog: str = "python -m bounds.where") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("query", nargs="?", help='an equation number such as "(84)", a result such as "Lemma 4.8", '
                                                 'or part of a Bound id')
    parser.add_argument("--unregistered", metavar="PAPER_TEXT", type=Path,
                        help="instead: print the equation numbers of the paper's text (a file) that no Bound cites "
                             "and bounds/NOT_CHECKED.md does not list")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.unregistered is not None:
        if not args.unregistered.is_file():
            parser.error(f"argument --unregistered: {args.unregistered} is not a file")
        missing = unregistered(args.unregistered.read_text(encoding="utf-8"))
        print(" ".join(f"({n})" for n in missing) if missing else "every equation number is registered or listed")
        return 1 if missing else 0
    if args.query is None:
        parser.error("give a query, or --unregistered PAPER_TEXT")
    query = args.query
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
