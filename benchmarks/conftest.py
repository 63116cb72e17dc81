"""pytest-benchmark session for the cores: run with `python -m pytest benchmarks --benchmark-only`.

The session keeps freed memory in the allocator (``keep_freed_memory``): without it
glibc page-faults every array above 128 KiB back in, which costs more than the
O(d) arithmetic being measured and depends on what ran before (see verify/checks/workloads.py).
"""
import pytest

from verify.checks.workloads import keep_freed_memory


def pytest_configure(config):
    config.stash[_KEPT] = keep_freed_memory()


_KEPT = pytest.StashKey[bool]()


def pytest_report_header(config):
    return f"benchmarks: allocator keeps freed memory: {config.stash.get(_KEPT, False)}"


def pytest_collection_modifyitems(config, items):
    # Timing is the only thing these tests do: without --benchmark-only (for example a bare
    # `python -m pytest` from the root) they are skipped rather than run as slow tests.
    if config.getoption("benchmark_only", False):
        return
    skip = pytest.mark.skip(reason="benchmark: run with `python -m pytest benchmarks --benchmark-only`")
    for item in items:
        if "benchmark" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
