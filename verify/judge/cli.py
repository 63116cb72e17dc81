"""The command lines' common arguments: a recorded instance to replay, and the counts and error level they take.

Every ``python -m verify....`` replay parses its arguments here, so each has ``--help``,
names the argument it refuses (argparse exits 2 with the usage), and reads an instance
record the one way the report writes it (``Instance.to_json``).
"""
from __future__ import annotations

import argparse
import json

from verify.judge.evidence import Instance


def instance_arg(text: str) -> Instance:
    """An instance record: the JSON a report's replay command or a failing check prints."""
    try:
        return Instance.from_json(text)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise argparse.ArgumentTypeError(f"not an instance record ({exc}); give the JSON of a report's replay "
                                         "command, in single quotes") from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def positive_int(text: str) -> int:
    """A count: an integer >= 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def seed_arg(text: str) -> int:
    """A numpy seed: an integer >= 0."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is not a seed; give an integer >= 0")
    return value


def seeds_arg(text: str) -> list[int]:
    """Seeds: ``FIRST:LAST`` (both included) or a comma-separated list, each an integer >= 0, none repeated."""
    text = text.strip()
    if ":" in text:
        first, _, last = text.partition(":")
        lo, hi = seed_arg(first), seed_arg(last)
        if hi < lo:
            raise argparse.ArgumentTypeError(f"{text!r}: the last seed {hi} is below the first {lo}")
        seeds = list(range(lo, hi + 1))
    else:
        seeds = [seed_arg(part) for part in text.split(",") if part.strip()]
    if not seeds:
        raise argparse.ArgumentTypeError(f"{text!r} names no seed; give FIRST:LAST or a list such as 5,6,7")
    if len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"{text!r} repeats a seed")
    return seeds


def error_level(text: str) -> float:
    """An error probability for a confidence bound: a number in (0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not an error probability in (0, 1)")
    return value


_OPTIONAL = {
    "runs": (positive_int, "how many runs (default: the instance's recorded number)"),
    "cap": (positive_int, "the largest iteration count (default: the instance's recorded cap)"),
    "delta": (error_level, "the error probability of each one-sided bound (default: the instance's, else the "
                           "check's replay level)"),
}


def parse_replay(prog: str, description: str, argv: list[str], *, optional: tuple[str, ...] = ()):
    """``'<instance JSON>' [runs] [cap] [delta]`` (those of ``optional``, in that order), parsed and checked."""
    parser = argparse.ArgumentParser(prog=prog, description=description.strip().splitlines()[0])
    parser.add_argument("instance", type=instance_arg, help="the instance record to replay (JSON)")
    for name in ("runs", "cap", "delta"):
        if name in optional:
            kind, words = _OPTIONAL[name]
            parser.add_argument(name, nargs="?", type=kind, default=None, help=words)
    return parser.parse_args(argv)
