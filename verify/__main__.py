"""maml-verify: the suite's command line (also ``python -m verify``).

    maml-verify run [--profile ci|nightly] [--seed N] [--report-dir DIR] [-k EXPR] [-n N] [-- PYTEST_ARGS]
    maml-verify replay '<instance JSON>'
    maml-verify gate [--update] ...
    maml-verify report [compliance.json]
    maml-verify sweep --seeds A:B ...
    maml-verify false-alarms [RUNS] [FIRST_SEED]
    maml-verify rediscovery --seeds A:B
    maml-verify bench [table-1-cost|targets|peers|speed-gate] ...
    maml-verify where QUERY
    maml-verify check-family package.module:factory [--budget quick|ci|nightly] [--seed N]

``check-family`` searches a family's declared constants for violations (verify/model/constants.py)
and prints, per constant, the declared value, whether it is certified or estimated, and the
largest value found; it exits 1, naming the constant, where the declaration is violated.
``run`` runs the checks of the paper (``pytest --pyargs verify``) from a checkout or an installed
package, in any directory, and writes the report to reports/ in the current directory (or
--report-dir).  The other
subcommands are the ``python -m`` commands of the README under one name: each takes the same
arguments, and ``maml-verify SUBCOMMAND --help`` gives them.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

PROG = "maml-verify"

# subcommand -> (module whose main(argv, prog=...) runs it, one line of help)
SUBCOMMANDS = {
    "replay": ("verify.replay", "replay one recorded instance of any check"),
    "gate": ("verify.report.gate", "compare a report with the committed baseline (the CI gate); --update accepts one"),
    "report": ("verify.report.html", "render index.html and erratum.html again beside a compliance.json"),
    "sweep": ("verify.sweep.__main__", "one run per seed on Dask, resumable (needs the sweep extra)"),
    "false-alarms": ("verify.false_alarms", "the false-alarm count of the statistical checks over seeds"),
    "rediscovery": ("verify.rediscovery", "how often the unaided search finds each recorded finding again"),
    "where": ("bounds.where", "the file and Bound ids of an equation number, result name or id fragment"),
}
# maml-verify bench NAME: the timings.  Table 1's cost measurement is installed with the package;
# the others live in a checkout's benchmarks/ directory, which is not installed.
BENCHMARKS = {
    "table-1-cost": ("verify.checks.table_1_cost", "per-iteration wall-clock time of the three methods against d"),
    "targets": ("benchmarks.targets", "the performance targets, as ratios within one run"),
    "peers": ("benchmarks.peers", "the numeric core against JAX and torch on the same computations"),
    "speed-gate": ("benchmarks.speed_gate", "the CI speed gate: timing ratios against committed thresholds"),
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0],
                                epilog="maml-verify SUBCOMMAND --help gives each subcommand's arguments.")
    sub = p.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)
    run = sub.add_parser("run", help="run the checks of the paper (pytest --pyargs verify) and write the report",
                         description="Run the checks of the paper (pytest --pyargs verify) and write the report. "
                                     "Arguments after -- go to pytest unchanged.")
    run.add_argument("--profile", choices=("ci", "nightly"), default="ci",
                     help="ci: deterministic, seed 0, the baseline's profile; nightly: fresh randomness, many more "
                          "examples. Default: ci")
    run.add_argument("--seed", type=_seed, default=None, metavar="N",
                     help="the seed every check derives its instances from. Default: 0 under ci, fresh under nightly")
    run.add_argument("--report-dir", default="reports", metavar="DIR",
                     help="where the report is written. Default: reports/ in the current directory")
    run.add_argument("--report-format", choices=("html", "json"), default="html",
                     help="html: compliance.json, junit.xml and the pages; json: compliance.json and junit.xml. "
                          "Default: html")
    run.add_argument("-k", dest="select", default=None, metavar="EXPR",
                     help="run only the checks whose test ids match this pytest -k expression. Default: all")
    run.add_argument("-n", dest="workers", type=_workers, default=None, metavar="N",
                     help="pytest-xdist worker processes (the report is the same as a serial run's). Default: serial")
    run.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARGS",
                     help="after --: further pytest arguments, e.g. -- --verify-mutate lemma_4_8=0.5")
    check = sub.add_parser("check-family", help="search a family's declared constants (L, rho, sigma, sigma~, "
                                                 "sigma_H) for violations",
                           description="Search a family's declared constants L, rho, sigma, sigma~ and sigma_H "
                                       "for violations on its declared domain, and print what was found.")
    check.add_argument("factory", metavar="package.module:factory",
                       help="a function returning the Family; the module is imported from the current directory "
                            "or sys.path")
    check.add_argument("--budget", choices=("quick", "ci", "nightly"), default="ci",
                       help="the search's size. Default: ci")
    check.add_argument("--seed", type=_seed, default=0, metavar="N",
                       help="the search's seed (the same seed gives the same search). Default: 0")
    for name, (_, text) in SUBCOMMANDS.items():
        sub.add_parser(name, help=text, add_help=False)
    sub.add_parser("bench", help="timings: " + ", ".join(BENCHMARKS), add_help=False)
    return p


def _seed(text: str) -> int:
    from verify.judge.cli import seed_arg

    return seed_arg(text)


def _workers(text: str) -> int:
    from verify.judge.cli import positive_int

    return positive_int(text)


def run_arguments(args: argparse.Namespace) -> list[str]:
    """The pytest arguments of ``maml-verify run``."""
    out = ["--pyargs", "verify", "--verify-profile", args.profile, "--report-format", args.report_format]
    if args.seed is not None:
        out += ["--verify-seed", str(args.seed)]
    out += ["--report-dir", str(Path(args.report_dir).resolve())]
    if args.select is not None:
        out += ["-k", args.select]
    if args.workers is not None:
        out += ["-n", str(args.workers)]
    return out + list(args.pytest_args)


def _delegate(module: str, name: str, argv: list[str]) -> int:
    try:
        target = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "benchmarks":
            print(f"{PROG} {name}: needs a checkout of the project: benchmarks/ is not installed with the package "
                  "(run it from the checkout's root)", file=sys.stderr)
            return 2
        raise
    return int(target.main(argv, prog=f"{PROG} {name}") or 0)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # Every subcommand but run parses its own arguments (the module's own parser, under this name).
    if argv and argv[0] in SUBCOMMANDS:
        return _delegate(SUBCOMMANDS[argv[0]][0], argv[0], argv[1:])
    if argv and argv[0] == "bench":
        rest = argv[1:]
        if not rest or rest[0] in ("-h", "--help"):
            listing = "\n".join(f"  {name:14s} {text}" for name, (_, text) in BENCHMARKS.items())
            if not rest:
                print(f"usage: {PROG} bench NAME [ARGS]\n{PROG} bench: error: the following arguments are "
                      f"required: NAME, one of:\n{listing}", file=sys.stderr)
                return 2
            print(f"usage: {PROG} bench NAME [ARGS]\n\nTimings, each a ratio or series within one run "
                  f"({PROG} bench NAME --help gives its arguments):\n{listing}")
            return 0
        if rest[0] not in BENCHMARKS:
            print(f"usage: {PROG} bench NAME [ARGS]\n{PROG} bench: error: argument NAME: {rest[0]!r} is not one of "
                  f"{', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return _delegate(BENCHMARKS[rest[0]][0], f"bench {rest[0]}", rest[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check-family":
        return check_family(parser, args)
    import pytest

    return int(pytest.main(run_arguments(args)))


def check_family(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Exit 0 when no declared constant is violated where the search looked, 1 naming the first that is."""
    import numpy as np

    from verify.model.constants import search_constants
    from verify.model.errors import ParameterError
    from verify.checks.user_families import load_family

    try:
        family = load_family(args.factory, option="argument factory")
    except ParameterError as exc:
        parser.error(str(exc))
    report = search_constants(family, np.random.default_rng(args.seed), budget=args.budget, seed=args.seed)
    print(f"family {report.family} on {report.domain}: declared constants searched (budget {args.budget}, "
          f"seed {args.seed}); 'largest found' is a lower bound on each supremum")
    print(report.table())
    oracles = "exact oracles only" if family.is_deterministic else "per-sample oracles (sigma~, sigma_H)"
    print(f"dimension {family.dim}, {family.n_tasks} tasks, {oracles}")
    for r in report.violations():
        print(f"{PROG} check-family: error: {r.name}: {r.message()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
