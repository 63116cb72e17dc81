"""Fixtures of ``pytest verify`` live in verify/plugin.py (loaded by pyproject's ``-p verify.plugin`` in a checkout,
by the ``pytest11`` entry point in an installed package).

This conftest only gives the run's profile its short name, ``--profile``, where the run names the suite's
directory (``pytest verify``): pytest reads the options of a conftest in a directory the run names.  The plugin
itself registers only ``--verify-profile``, because it is loaded into every pytest run of an environment where the
package is installed, and ``--profile`` is a name other plugins (pytest-profiling) hold.
"""
from verify.plugin import PROFILE_OPTION


def pytest_addoption(parser):
    parser.getgroup("verify").addoption("--profile", **PROFILE_OPTION)
