"""Benchmarks of the cores every check runs through and of one iteration of each algorithm.

    python -m pytest benchmarks --benchmark-only                       # the grid below, ~2-3 minutes
    python -m pytest benchmarks --benchmark-only -k "rank-one and 4096" # a slice

Groups (``--benchmark-group-by=group``, the default here): one per (core, family), the
tasks and d in the test id.  The grid is sparse on purpose: d in {16, 256, 4096, 16384},
tasks in {1, 64, 256}; a combination whose arrays or arithmetic do not fit is skipped
with the reason (an explicit Hessian at d = 16384 with 256 tasks would be 550 GB).
"""
from __future__ import annotations

import pytest

from verify.checks.workloads import DENSE_FLOAT_CAP, infeasible, workload

DIMS = (16, 256, 4096, 16384)
TASKS = (1, 64, 256)
FAMILIES = ("rank-one", "quadratic")
CORES = ("gradient", "hvp", "fd_hvp", "hessian")
ITERATIONS = ("maml", "maml_hvp", "fo_maml", "hf_maml")
# MAML's explicit Hessians are formed one chunk at a time, but their arithmetic is
# tasks * d^2 per iteration: above 2^26 floats (~1 s here) one benchmark round takes
# longer than the whole O(d) grid, so those combinations are left to the targets script.
MAML_WORK_CAP = 2 ** 26

_workloads = {}


def _workload(family, tasks, d):
    # Building a family is set-up, not benchmark: one per (family, tasks, d), reused by
    # every core, and dropped when d changes so that at most one size is held at a time.
    key = (family, tasks, d)
    if key not in _workloads:
        _workloads.clear()
        _workloads[key] = workload(family, tasks, d)
    return _workloads[key]


def _why_not(family, what, tasks, d):
    if family == "quadratic" and (reason := infeasible("quadratic", tasks, d)):
        return reason
    if what == "hessian" and tasks * d * d > DENSE_FLOAT_CAP:
        return f"the batch of {tasks} Hessians at d = {d} is {8 * tasks * d * d / 2 ** 30:.1f} GiB, above the cap " \
               f"of {8 * DENSE_FLOAT_CAP / 2 ** 20:.0f} MiB"
    if what == "maml":
        if reason := infeasible("hessian", tasks, d):
            return reason
        if tasks * d * d > MAML_WORK_CAP:
            return f"{tasks} explicit {d} x {d} Hessians per iteration take over a second a round; " \
                   "measured once by `python -m benchmarks.targets`"
    return None


def _params(whats):
    for family in FAMILIES:
        for what in whats:
            for d in DIMS:
                for tasks in TASKS:
                    reason = _why_not(family, what, tasks, d)
                    marks = [pytest.mark.skip(reason=reason)] if reason else []
                    yield pytest.param(family, what, tasks, d, id=f"{family}-{what}-tasks{tasks}-d{d}", marks=marks)


@pytest.mark.parametrize("family,core,tasks,d", list(_params(CORES)))
def test_core(benchmark, family, core, tasks, d):
    benchmark.group = f"{core} on {family}"
    benchmark.extra_info.update(family=family, tasks=tasks, d=d)
    fn = _workload(family, tasks, d).core(core)
    out = benchmark(fn)
    assert out.shape[0] == tasks


@pytest.mark.parametrize("family,algorithm,tasks,d", list(_params(ITERATIONS)))
def test_iteration(benchmark, family, algorithm, tasks, d):
    benchmark.group = f"one {algorithm} iteration on {family}"
    benchmark.extra_info.update(family=family, tasks=tasks, d=d)
    fn = _workload(family, tasks, d).iteration(algorithm)
    out = benchmark(fn)
    assert out.shape == (d,)
