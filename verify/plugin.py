"""The pytest plugin of ``pytest verify``: run options, hypothesis profiles, the Ledger and the closing table.

Options (group "verify"):
  --profile {ci,nightly}   ci: derandomized hypothesis, no example database, the fixed seed;
                           nightly: fresh randomness and many more examples.  Default: ci.
  --verify-seed N          the numpy seed that every check derives its instances from.
                           Default: 0 under ci, a fresh one under nightly (printed, so the
                           run can be replayed).
"""
from __future__ import annotations

import secrets
import time

import pytest
from hypothesis import HealthCheck, settings

from .evidence import Ledger

PROFILES = ("ci", "nightly")
# Examples per hypothesis-driven check: enough to reach the corners the strategies pin
# with @example in ci, many more at night.
EXAMPLES = {"ci": 25, "nightly": 400}

settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=EXAMPLES["ci"], deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "nightly", derandomize=False, max_examples=EXAMPLES["nightly"], deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LEDGER_KEY = pytest.StashKey[Ledger]()
START_KEY = pytest.StashKey[float]()


def pytest_addoption(parser):
    group = parser.getgroup("verify", "MAML convergence-theory verification")
    group.addoption("--profile", choices=PROFILES, default="ci",
                    help="ci (derandomized, fixed seed) or nightly (fresh randomness, more examples). Default: ci")
    group.addoption("--verify-seed", type=int, default=None,
                    help="numpy seed the checks derive their instances from. Default: 0 under ci, fresh under nightly")


def pytest_configure(config):
    profile = config.getoption("--profile")
    seed = config.getoption("--verify-seed")
    if seed is None:
        seed = 0 if profile == "ci" else secrets.randbelow(2 ** 31)
    config.option.verify_seed = seed
    settings.load_profile(profile)
    config.stash[LEDGER_KEY] = Ledger()
    config.stash[START_KEY] = time.perf_counter()


@pytest.fixture(scope="session")
def ledger(pytestconfig) -> Ledger:
    return pytestconfig.stash[LEDGER_KEY]


@pytest.fixture(scope="session")
def run_seed(pytestconfig) -> int:
    return pytestconfig.option.verify_seed


@pytest.fixture(scope="session")
def profile(pytestconfig) -> str:
    return pytestconfig.getoption("--profile")


def pytest_report_header(config):
    return f"verify: profile={config.getoption('--profile')} seed={config.option.verify_seed}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ledger = config.stash.get(LEDGER_KEY, None)
    if ledger is None:
        return
    elapsed = time.perf_counter() - config.stash[START_KEY]
    if len(ledger):
        terminalreporter.section("bound compliance")
        terminalreporter.write_line(ledger.table())
    terminalreporter.write_line(
        f"verify: profile={config.getoption('--profile')} seed={config.option.verify_seed} "
        f"checks={len(ledger)} duration={elapsed:.1f}s")
