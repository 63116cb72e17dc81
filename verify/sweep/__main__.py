"""Run a seed sweep of ``pytest verify`` on Dask: ``python -m verify.sweep --seeds 1000:1199 --out DIR``.

Each seed is one ``pytest verify`` run in a subprocess, with that seed and its own report
directory, on a Dask worker: a LocalCluster on this machine (one worker process per core,
one thread each), or the cluster whose scheduler is at --scheduler.  Each seed's record is
written under DIR/seeds/ as it arrives; the same command again skips the seeds already
recorded, so an interrupted sweep resumes.  At the end the records are merged into
DIR/sweep.json and DIR/sweep.html.

Exit status: 0 when every seed completed with no false alarm (and, unless the recorded
counterexamples are withheld, no failed test); 1 otherwise; 2 for a bad argument; 130 when
interrupted (the finished seeds stay on disk).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from verify.judge.cli import positive_int, seeds_arg

PROFILES = ("ci", "nightly")


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value:g} must be above 0 seconds")
    return value


def parser(prog: str = "python -m verify.sweep") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0],
                                epilog="Needs the sweep extra: pip install -e \".[sweep]\". See docs/sweep.md.")
    p.add_argument("paths", nargs="*", default=["verify"], metavar="PATH",
                   help="what each run collects, as for pytest. Default: verify")
    p.add_argument("--seeds", type=seeds_arg, required=True,
                   help="FIRST:LAST (both included) or a list such as 5,6,7: one run per seed")
    p.add_argument("--profile", choices=PROFILES, default="ci",
                   help="the hypothesis profile of every run (pytest verify --profile). Default: ci")
    p.add_argument("--select", default=None, metavar="EXPR",
                   help="a pytest -k expression: sweep only the tests it selects. Default: every test")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes of the local cluster, one run each at a time. Default: one per core "
                        f"({os.cpu_count()} here)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="a Dask scheduler's address (tcp://host:8786) to submit to instead of a local cluster")
    p.add_argument("--out", type=Path, default=Path("reports") / "sweep", metavar="DIR",
                   help="the sweep's directory; resumed if it holds this sweep already. Default: reports/sweep")
    p.add_argument("--shards", type=positive_int, default=1,
                   help="split each seed's run by test id into this many shards, run in parallel and merged into "
                        "one report under DIR/reports/SEED/. Default: 1 (each seed one run)")
    p.add_argument("--withhold-recorded", action="store_true",
                   help="judge only what the checks' own search draws (pytest verify --verify-withhold-recorded), "
                        "which measures each finding's rediscovery rate. Default: off")
    p.add_argument("--timeout", type=_timeout, default=None, metavar="SECONDS",
                   help="record a run (or shard) that takes longer as crashed. Default: none")
    p.add_argument("--retry-crashed", action="store_true",
                   help="run again the seeds recorded as crashed. Default: they are kept as recorded")
    p.add_argument("--reference", type=Path, default=None, metavar="COMPLIANCE_JSON",
                   help="a report whose worst ratios sweep.json shows beside the sweep's, e.g. the ci profile's "
                        "reports/compliance.json. Default: none")
    return p


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, prog: str = "python -m verify.sweep") -> int:
    # SIGTERM (kill, a batch system's time limit) stops the sweep as Ctrl-C does: runs in flight are
    # cancelled, every finished seed stays on disk.  So does SIGINT where the shell that started the
    # sweep in the background set it to be ignored.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    p = parser(prog)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    if args.scheduler and args.workers:
        p.error("--workers: sizes the local cluster only; a scheduler's workers are started with `dask worker`")
    if args.reference is not None and not args.reference.is_file():
        p.error(f"--reference: {args.reference} is not a file")
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        p.error('the sweep runs on Dask, which is not installed: pip install -e ".[sweep]"')
    from .merge import summary, write
    from .plan import CollectionError
    from .run import Options, sweep
    from .store import SweepDir, SweepDirError
    from .task import TaskSpec

    run = TaskSpec(seed=0, profile=args.profile, select=args.select, paths=tuple(args.paths),
                   withhold_recorded=args.withhold_recorded, shards=args.shards, timeout_s=args.timeout)
    opts = Options(seeds=args.seeds, out=args.out, run=run, retry_crashed=args.retry_crashed,
                   workers=args.workers or (None if args.scheduler else os.cpu_count()), scheduler=args.scheduler)
    try:
        outcome = sweep(opts)
        target, page, doc = write(SweepDir(args.out), args.reference)
    except SweepDirError as exc:
        p.error(str(exc))
    except CollectionError as exc:
        print(f"python -m verify.sweep: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before the cluster started, or while merging: nothing half-written
        print("sweep: interrupted; every finished seed is on disk; run the same command again to resume",
              file=sys.stderr)
        return 130
    for line in summary(doc):
        print(line)
    print(f"sweep: {target}, {page}")
    if outcome.interrupted:
        return 130
    records = SweepDir(args.out).records()
    mine = [records[s] for s in args.seeds if s in records]
    bad = any(r["status"] != "completed" for r in mine)
    from .merge import false_alarms

    bad |= any(false_alarms(r) for r in mine if r["status"] == "completed")
    if not args.withhold_recorded:
        bad |= any(r.get("failed_tests") for r in mine)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
