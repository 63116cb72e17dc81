"""Every equation number of the paper is a Bound of the registry or is listed, with its reason, in bounds/NOT_CHECKED.md.

Every number is one or the other: PENDING, the displays still to be registered, is empty, and the
test fails on a number in none of the three (or on a PENDING number that has since been registered or
listed), so a display of a new version of the paper has to be registered or listed with its reason.
"""
import re

from bounds import BOUNDS
from bounds.where import NOT_CHECKED, not_checked, paper_numbers, registered_numbers, unregistered

# The displays not registered yet, by where they are in the paper.
PENDING: set[str] = set()


def test_every_equation_number_is_registered_listed_or_pending(paper_text):
    missing = [n for n in unregistered(paper_text) if n not in PENDING]
    assert not missing, f"equation numbers in neither the registry nor {NOT_CHECKED.name}: {missing}"


def test_pending_only_shrinks(paper_text):
    done = sorted(PENDING - set(unregistered(paper_text)), key=lambda n: int(re.match(r"\d+", n).group()))
    assert not done, f"registered or listed now, remove from PENDING: {done}"
    assert PENDING <= paper_numbers(paper_text), sorted(PENDING - paper_numbers(paper_text))


def test_not_checked_lists_only_numbers_of_the_paper_that_no_bound_cites(paper_text):
    listed = not_checked()
    assert listed, f"{NOT_CHECKED} lists nothing (or its table is not read)"
    assert set(listed) <= paper_numbers(paper_text), sorted(set(listed) - paper_numbers(paper_text))
    both = sorted(set(listed) & registered_numbers())
    assert not both, f"cited by a Bound and listed as not checked: {both}"
    for number, reason in listed.items():  # nothing to check in it: it defines, assumes or restates
        assert reason.startswith(("definition", "assumption", "restatement")), (number, reason)


def test_registered_numbers_are_read_from_the_references():
    numbers = registered_numbers()
    assert {"84", "9", "35a", "35b", "140"} <= numbers
    # Table 1's Bounds cite "(via (23)-(29))": a range over several displays says nothing about which
    # Bound checks which display, so (24) is not counted.
    assert any("(23)-(29)" in b.reference for b in BOUNDS.values()) and "24" not in numbers
