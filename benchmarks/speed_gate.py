"""Speed gate: timing ratios measured within one run against committed thresholds.  python -m benchmarks.speed_gate

Absolute times are not comparable across runs on shared machines; a ratio of two
timings taken in the same round-robin pass is (a load spike slows both).  For each
entry of benchmarks/speed_gate.toml the gate times numerator and denominator
REPETITIONS times, takes the median of the per-pass ratios and compares it with the
entry's ``max`` or ``min``.  Exit 1 if any threshold is crossed, 2 if the file is
unreadable; prints one line per entry either way.  About 10 seconds.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see verify/checks/table_1_cost.py: one BLAS thread on a shared machine
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tomllib  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from verify.checks.workloads import ALGORITHMS, interleaved_medians, keep_freed_memory, workload  # noqa: E402

THRESHOLDS = Path(__file__).with_name("speed_gate.toml")
# Medians of 9 per-pass ratios: a ratio survives up to 4 disturbed passes.
REPETITIONS = 9


def _thunk(wl, name):
    return wl.iteration(name) if name in ALGORITHMS else wl.core(name)


def measure(entry: dict, repetitions: int = REPETITIONS) -> float:
    wl = workload(entry["family"], int(entry["tasks"]), int(entry["d"]))
    t = interleaved_medians({"num": _thunk(wl, entry["numerator"]), "den": _thunk(wl, entry["denominator"])},
                            repetitions)
    return float(np.median(t["num"] / t["den"]))


def main(argv: list[str] | None = None, prog: str = "python -m benchmarks.speed_gate") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", type=Path, default=THRESHOLDS,
                        help=f"the TOML file of thresholds. Default: {THRESHOLDS.name} beside this module")
    args = parser.parse_args(argv)
    try:
        entries = tomllib.loads(args.thresholds.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"speed gate: cannot read {args.thresholds}: {exc}", file=sys.stderr)
        return 2
    keep_freed_memory()
    started = time.perf_counter()
    failed = []
    for name, entry in entries.items():
        value = measure(entry)
        if "max" in entry:
            ok, rule = value <= float(entry["max"]), f"<= {entry['max']}"
        else:
            ok, rule = value >= float(entry["min"]), f">= {entry['min']}"
        print(f"speed gate: {'pass' if ok else 'FAIL'}  {name}: {value:.3g} (must be {rule})  [{entry['what']}]")
        if not ok:
            failed.append(name)
    print(f"speed gate: {len(failed)} of {len(entries)} ratios crossed their thresholds "
          f"({time.perf_counter() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
