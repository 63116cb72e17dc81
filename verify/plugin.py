"""The pytest plugin of ``pytest verify``: run options, hypothesis profiles, the Ledger, the closing table and the report.

The plugin is loaded by the checkout's ``-p verify.plugin`` (pyproject's addopts) and, in an
installed package, by the ``pytest11`` entry point of the same name, so one of them registers
it.  Loaded by the entry point into another project's test run, it only adds its options: it
acts (hypothesis profile, Ledger, table, report) only on a run that names it with
``-p verify.plugin`` or whose arguments reach the suite's tests (``pytest verify``,
``pytest --pyargs verify``, a path in or above the installed ``verify`` package).

Options (group "verify"):
  --verify-profile {ci,nightly}
                           ci: derandomized hypothesis, no example database, the fixed seed;
                           nightly: fresh randomness and many more examples.  Default: ci.
                           ``--profile`` is the same option where the run names the suite's
                           directory (verify/conftest.py adds it there; a generic name that another
                           plugin, such as pytest-profiling, may hold in other projects).
  --verify-seed N          the numpy seed that every check derives its instances from.
                           Default: 0 under ci, a fresh one under nightly (printed, so the
                           run can be replayed).
  --report-dir DIR         where compliance.json, index.html and junit.xml are written at the
                           end of a run that includes checks.  Default: reports/ under the rootdir
                           of a configured project (the checkout), else under the current directory.
  --report-format {html,json}
                           html: compliance.json, junit.xml and the pages index.html and erratum.html;
                           json: compliance.json and junit.xml only, for a run whose report only a
                           program reads (each seed of python -m verify.sweep).  Default: html.
  --verify-mutate ID=F     judge the Bound ID with its constant scaled by F (rhs x F for <=,
                           rhs / F for >=), repeatable: F below the supremum of lhs/rhs makes
                           the statement false, and a sharp check must then report it
                           violated.  Measures a check's power without editing a file; the
                           report records the mutation and cannot become the baseline.
  --verify-withhold-recorded
                           judge only what the checks' own search draws, not the recorded
                           counterexamples of verify/judge/known_findings.toml: measures whether the
                           unaided search rediscovers each finding (python -m verify.rediscovery).
                           The report says so and cannot become the baseline.
  --verify-shard-out FILE  also write the run's ledger and test outcomes to FILE (JSON): one shard
                           of a run split by test id, which python -m verify.sweep merges with
                           the other shards into one report (as the xdist controller merges workers).

Under pytest-xdist every worker has its own Ledger; at the end of its session it
ships its records (plain dicts, ``Evidence.to_dict``) through ``workeroutput``,
and the controller merges them (``pytest_testnodedown``) before it writes the
report, so ``pytest verify -n 2`` reports what a serial run reports.
"""
from __future__ import annotations

import json
import secrets
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from verify.judge.evidence import Evidence, Figure, Ledger, plain

PROFILES = ("ci", "nightly")
REPORT_FORMATS = ("html", "json")
# Examples per hypothesis-driven check: enough to reach the corners the strategies pin
# with @example in ci, many more at night.
EXAMPLES = {"ci": 25, "nightly": 400}

# The hypothesis profiles under names of their own: another project's "ci" profile stays its own.
HYPOTHESIS_PROFILES = {"ci": "maml-verify-ci", "nightly": "maml-verify-nightly"}
settings.register_profile(
    HYPOTHESIS_PROFILES["ci"], derandomize=True, database=None, max_examples=EXAMPLES["ci"], deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    HYPOTHESIS_PROFILES["nightly"], derandomize=False, max_examples=EXAMPLES["nightly"], deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PLUGIN_NAME = "verify.plugin"
PROFILE_OPTION = dict(dest="verify_profile", choices=PROFILES, default="ci",
                      help="ci (derandomized, fixed seed) or nightly (fresh randomness, more examples). Default: ci")

DEFAULT_REPORT_DIR = "reports"
# The key under which an xdist worker hands its ledger to the controller.
WORKER_OUTPUT_KEY = "verify_ledger"

LEDGER_KEY = pytest.StashKey[Ledger]()
START_KEY = pytest.StashKey[float]()
SESSION_KEY = pytest.StashKey["_Session"]()
HAS_CHECKS_KEY = pytest.StashKey[bool]()
ACTIVE_KEY = pytest.StashKey[bool]()
USER_FAMILIES_KEY = pytest.StashKey[dict]()

# The files of checks whose verdicts are statistical (or, for Figure 2, run the algorithms
# over seeds): their summed test time is printed against the ci profile's target below.
STATISTICAL_FILES = tuple(f"verify/checks/test_{kind}.py" for kind in (
    "expectation", "moments", "bias", "descent", "convergence", "h1_counterexample", "corollaries",
    "table_1_scaling", "figure_2"))
STATISTICAL_TARGET_S = 120.0


class _Session:
    """What the controller learns during a run besides the Ledger: test outcomes, workers, the report written."""

    def __init__(self, report_dir: Path, explicit: bool) -> None:
        self.report_dir = report_dir
        self.explicit = explicit
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.has_checks = False
        self.outcomes: dict[str, object] = {}
        self.workers = 0
        self.lost_workers: list[str] = []
        self.written: list[Path] = []
        self.report_seconds = 0.0
        self.problems: list[str] = []
        self.interrupted = False


def pytest_addoption(parser):
    group = parser.getgroup("verify", "MAML convergence-theory verification")
    group.addoption("--verify-profile", **PROFILE_OPTION)
    group.addoption("--verify-seed", type=int, default=None,
                    help="numpy seed the checks derive their instances from. Default: 0 under ci, fresh under nightly")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="directory for compliance.json, index.html and junit.xml, written at the end of a run "
                         f"that includes checks. Default: {DEFAULT_REPORT_DIR}/ under the rootdir of a configured project, "
                         "else under the current directory")
    group.addoption("--report-format", choices=REPORT_FORMATS, default="html",
                    help="html: compliance.json, junit.xml, index.html and erratum.html; json: compliance.json and "
                         "junit.xml only. Default: html")
    group.addoption("--verify-mutate", action="append", default=[], metavar="BOUND_ID=FACTOR",
                    help="judge BOUND_ID with its constant scaled by FACTOR (rhs x FACTOR for <=, rhs / FACTOR "
                         "for >=): a power test; repeatable. Default: none")
    group.addoption("--verify-withhold-recorded", action="store_true", default=False,
                    help="judge only what the checks' own search draws, not the recorded counterexamples: "
                         "measures the rate at which the search rediscovers each finding. Default: off")
    group.addoption("--family", action="append", default=[], metavar="MODULE:FACTORY",
                    help="also run every check that takes a user's family on the Family that FACTORY() returns "
                         "(imported from the current directory or sys.path), after its declared constants are "
                         "searched for violations; repeatable. Default: none")
    group.addoption("--only-user-families", action="store_true", default=False,
                    help="run the checks on the --family families only, not on the built-in ones. Default: off")
    group.addoption("--verify-shard-out", default=None, metavar="FILE",
                    help="also write the run's ledger and test outcomes to FILE (JSON), for python -m verify.sweep "
                         "to merge shards of one run into one report. Default: none")


def _without_local_constants() -> bool:
    """Make hypothesis draw the same examples whatever modules this process has imported.

    Hypothesis mixes into its draws literal constants it mines from every local module in
    sys.modules, frozen per strategy at the first draw.  Which modules are loaded then
    depends on which tests were collected and which ran before in the process (an xdist
    worker, a -k subset), so the same check drew other instances in a serial run, under
    -n 2 and in a subset (measured: (35) on quadratic-mixed reached 0.0276, 0.0610 or
    0.0767).  Without the mined constants a check's instances depend on its seed alone.
    The hook is internal to hypothesis: where it is absent, nothing is changed and the
    function returns False.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return False
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "Constants"):
        return False
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    return True


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _suite_dir() -> Path:
    return Path(__file__).resolve().parent


def _reaches_suite(config) -> bool:
    """Whether the run names this plugin or its arguments reach the suite's tests (module docstring)."""
    if PLUGIN_NAME in (config.getoption("plugins", None) or []):
        return True
    suite = _suite_dir()
    for arg in config.args:
        target = str(arg).split("::")[0]
        if config.getoption("pyargs", False) and (target == suite.name or target.startswith(suite.name + ".")):
            return True
        path = Path(config.invocation_params.dir, target).resolve()
        if path == suite or suite in path.parents or path in suite.parents:
            return True
    return False


def active(config) -> bool:
    """Whether the plugin acts on this run (decided once, at configure time)."""
    return config.stash.get(ACTIVE_KEY, False)


def pytest_configure(config):
    # An xdist worker acts where its controller does (its own arguments are the controller's).
    config.stash[ACTIVE_KEY] = (bool(config.workerinput.get("verify_active", False)) if _is_worker(config)
                                else _reaches_suite(config))
    if not active(config):
        return
    profile = config.getoption("verify_profile")
    seed = config.getoption("--verify-seed")
    if _is_worker(config):
        # Every worker must draw the instances the controller would: a nightly seed is chosen once.
        seed = config.workerinput.get("verify_seed", seed)
    if seed is not None and not 0 <= seed < 2 ** 63:
        raise pytest.UsageError(f"--verify-seed: {seed} is not a seed; give an integer from 0 to 2**63 - 1")
    if seed is None:
        seed = 0 if profile == "ci" else secrets.randbelow(2 ** 31)
    config.option.verify_seed = seed
    from verify.model.errors import ParameterError
    from verify.judge.mutations import parse_mutation, set_mutations

    try:
        set_mutations(dict(parse_mutation(m) for m in config.getoption("--verify-mutate") or []))
    except ParameterError as exc:
        raise pytest.UsageError(f"--verify-mutate: {exc}") from None
    from verify.judge.findings import set_withheld

    set_withheld(config.getoption("--verify-withhold-recorded"))
    _register_user_families(config, profile, seed)
    settings.load_profile(HYPOTHESIS_PROFILES[profile])
    _without_local_constants()
    config.stash[LEDGER_KEY] = Ledger()
    reports = config.stash.get(USER_FAMILIES_KEY, {})
    if reports:
        config.stash[LEDGER_KEY].note_run(user_families=reports,
                                          user_families_not_applicable=_not_applicable(reports))
    config.stash[START_KEY] = time.perf_counter()
    if _is_worker(config):
        return
    given = config.getoption("--report-dir")
    report_dir = _report_dir(config)
    from verify.report.writer import ReportWriteError, check_writable

    # Fail early where the report cannot be written; a run that writes none (--collect-only,
    # --help) creates no report directory.
    writes = not (config.option.collectonly or getattr(config.option, "help", False))
    try:
        if writes:
            check_writable(report_dir)
    except ReportWriteError as exc:
        raise pytest.UsageError(f"--report-dir: {exc}") from None
    shard_out = config.getoption("--verify-shard-out")
    if shard_out:
        try:
            check_writable(Path(shard_out).resolve().parent, option="--verify-shard-out")
        except ReportWriteError as exc:
            raise pytest.UsageError(f"--verify-shard-out: {exc}") from None
    from verify.report.writer import remove_stale_temporaries

    remove_stale_temporaries(report_dir)
    state = _Session(report_dir, explicit=given is not None)
    config.stash[SESSION_KEY] = state
    config.pluginmanager.register(_OutcomeRecorder(state), "verify-outcomes")


def _register_user_families(config, profile: str, seed: int) -> None:
    """--family: load each factory, search its declared constants (verify/model/constants.py), register it.

    Before the check modules are collected, so that their checks include it.  A family whose
    declared constants the search exceeds is refused here, naming the constant: every verdict on it
    would rest on a false assumption.
    """
    import numpy as np

    from verify.checks import user_families
    from verify.model.constants import require_declared_constants
    from verify.model.errors import ParameterError

    user_families.clear()
    specs = config.getoption("--family") or []
    if config.getoption("--only-user-families") and not specs:
        raise pytest.UsageError("--only-user-families: give at least one --family MODULE:FACTORY")
    reports = {}
    for spec in specs:
        try:
            family = user_families.load_family(spec)
            # One search per family, from the run's seed: the same run searches the same points.  A family whose
            # constants are all estimated (a JaxFamily) was searched when it estimated them: the quick budget
            # here reports what a second search finds, at a fraction of the cost on a network.
            rng = np.random.default_rng([seed, len(reports), 5051])
            estimated = all(c.estimated for _, c in family.constants)
            reports[spec] = require_declared_constants(family, rng, budget="quick" if estimated else profile,
                                                       seed=seed).to_dict()
        except ParameterError as exc:
            raise pytest.UsageError(f"--family {spec}: {exc}") from None
        user_families.register(spec, family)
    user_families.set_only_user_families(config.getoption("--only-user-families"))
    config.stash[USER_FAMILIES_KEY] = reports


# The check kinds that run only on families built for their statements, and why (docs/families.md).
NOT_FOR_USER_FAMILIES = {
    "expectation, moments, bias": "judged on families whose one-sample batches have an exact law or whose noise is "
                                  "built to reach the statements' equality cases",
    "corollaries, Table 1, Figure 2, H.1's counterexample": "the paper's own settings (Appendix J's rank-one tasks) "
                                                            "or families built for the statement",
    "proof audit, units, Appendix I": "exact arithmetic on the registry, not on a family",
}


def _estimated_families(config) -> set[str]:
    """The --family families with an estimated constant: every verdict on them is conditional on it."""
    reports = config.stash.get(USER_FAMILIES_KEY, {})
    return {spec for spec, rep in reports.items() if any(c["status"] == "estimated" for c in rep["constants"].values())}


def _not_applicable(reports: dict) -> dict:
    """What does not run on the run's user families, and why: per pointwise Bound, convergence, other kinds."""
    from verify.checks import user_families
    from verify.checks.convergence import why_not_applicable
    from verify.checks.pointwise import not_applicable_to_user_families

    out = {"pointwise": not_applicable_to_user_families(), "other check kinds": dict(NOT_FOR_USER_FAMILIES)}
    convergence = {spec: why_not_applicable(user_families.user_family(spec)) for spec in reports}
    out["convergence"] = {spec: why for spec, why in convergence.items() if why}
    return out


def _report_dir(config) -> Path:
    """The run's report directory (the controller's and every worker's: workers get the same options).

    By default reports/ under the rootdir of a project with a pytest configuration (the checkout), and
    reports/ under the directory pytest was started in otherwise: an installed package run with
    ``--pyargs verify`` has its rootdir in site-packages, where no report belongs.
    """
    given = config.getoption("--report-dir")
    if given:
        return Path(given).resolve()
    base = config.rootpath if config.inipath is not None else config.invocation_params.dir
    return Path(base, DEFAULT_REPORT_DIR)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist controller: hand each worker whether the plugin acts, and the run's seed (a nightly seed is drawn once, here)."""
    node.workerinput["verify_active"] = active(node.config)
    node.workerinput["verify_seed"] = node.config.option.verify_seed


@pytest.fixture(scope="session")
def ledger(pytestconfig) -> Ledger:
    return pytestconfig.stash[LEDGER_KEY]


@pytest.fixture(scope="session")
def verify_cache_dir(pytestconfig) -> Path:
    """Where exact, deterministic results are kept between runs and shared by xdist workers (verify/judge/cache.py):
    the report directory's .cache/, so it works with ``-p no:cacheprovider`` and goes where the report goes."""
    from verify.judge.cache import CACHE_DIR_NAME

    return _report_dir(pytestconfig) / CACHE_DIR_NAME


@pytest.fixture(scope="session")
def run_seed(pytestconfig) -> int:
    return pytestconfig.option.verify_seed


@pytest.fixture(scope="session")
def profile(pytestconfig) -> str:
    return pytestconfig.getoption("verify_profile")


def pytest_report_header(config):
    if active(config):
        return f"verify: profile={config.getoption('verify_profile')} seed={config.option.verify_seed}"
    return None


def pytest_collection_modifyitems(session, config, items):
    if not active(config):
        return
    specs = config.stash.get(USER_FAMILIES_KEY, {})
    if config.getoption("--only-user-families") and specs:
        # Only the checks on a --family family: their ids name it (bound@module:factory).
        kept = [item for item in items if any(spec in item.nodeid for spec in specs)]
        deselected = [item for item in items if not any(spec in item.nodeid for spec in specs)]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept
    # A run writes a report only if it includes checks (tests that record Evidence),
    # so `pytest tests` never overwrites the report of `pytest verify`.
    config.stash[HAS_CHECKS_KEY] = any("ledger" in getattr(item, "fixturenames", ()) for item in items)


class _OutcomeRecorder:
    """Collects each test's outcome for junit.xml and the report's test counts (serial run or xdist controller)."""

    def __init__(self, state: _Session) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report):
        from verify.report.junit import TestOutcome

        state = self.state

        if report.when == "call" or report.outcome != "passed":
            if report.when != "call" and report.failed:
                outcome = "error"
            else:
                outcome = report.outcome
            message = report.longreprtext[:4000] if report.outcome != "passed" else ""
            previous = state.outcomes.get(report.nodeid)
            # A failing teardown after a passing call makes the test an error; keep the worse.
            if previous is None or outcome in ("failed", "error"):
                state.outcomes[report.nodeid] = TestOutcome(report.nodeid, outcome, report.duration, message)


def pytest_unconfigure(config):
    if not active(config):
        return
    from verify.judge.mutations import set_mutations

    from verify.judge.findings import set_withheld

    set_mutations({})  # an in-process run (pytester) must not leave its mutation to the next
    set_withheld(False)
    from verify.checks import user_families

    user_families.clear()


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if not active(config):
        return
    ledger = config.stash[LEDGER_KEY]
    if _is_worker(config):
        config.workeroutput[WORKER_OUTPUT_KEY] = json.dumps(_ledger_payload(config, ledger))
        return
    state = config.stash.get(SESSION_KEY, None)
    shard_out = config.getoption("--verify-shard-out")
    if state is not None and shard_out and not config.option.collectonly:
        _write_shard(Path(shard_out), config, ledger, state, int(exitstatus))
    if state is None or config.option.collectonly:
        return
    if not (state.has_checks or config.stash.get(HAS_CHECKS_KEY, False) or state.explicit or len(ledger)):
        return
    from .report import build, run_metadata, write_report
    from verify.report.writer import ReportWriteError

    if state.lost_workers:
        state.problems.append(f"workers {state.lost_workers} ended without handing over their evidence; "
                              "the report lacks their checks")
    began = time.perf_counter()
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for o in state.outcomes.values():
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    from verify.report.writer import INTERRUPTED_DIR
    from verify.judge.findings import withheld
    from verify.judge.mutations import active_mutations

    # An interrupted run (Ctrl-C) has part of the results: it writes them beside the complete
    # report, in interrupted/, marked so, and never over it.
    interrupted = int(exitstatus) == int(pytest.ExitCode.INTERRUPTED)
    state.interrupted = interrupted
    run = run_metadata(
        profile=config.getoption("verify_profile"), seed=config.option.verify_seed, started_at=state.started_at,
        duration_s=time.perf_counter() - config.stash[START_KEY], workers=state.workers,
        exit_status=int(exitstatus), tests=counts, root=config.rootpath,
        facts={**ledger.run_facts, "mutations": active_mutations(), "interrupted": interrupted,
               "recorded_withheld": withheld()})
    target = state.report_dir / INTERRUPTED_DIR if interrupted else state.report_dir
    try:
        from verify.judge.cache import CACHE_DIR_NAME

        doc = build(ledger, run, figures=ledger.figures, cache_dir=state.report_dir / CACHE_DIR_NAME)
        written = write_report(target, doc, state.outcomes.values(),
                               html=config.getoption("--report-format") == "html")
    except ReportWriteError as exc:
        state.problems.append(str(exc))
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        return
    except Exception:  # a bug in the report must not hide the run's own outcome; the old report stays
        state.problems.append("the report could not be built; any earlier report is left as it was:\n"
                              + traceback.format_exc())
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        return
    state.written = written.paths
    state.report_seconds = time.perf_counter() - began
    if written.skipped_html:
        state.problems.append(written.skipped_html)


def _ledger_payload(config, ledger: Ledger) -> dict:
    """What a part of a run hands to whoever merges it: an xdist worker to its controller, a shard to the sweep."""
    return {
        "evidence": [plain(ev.to_dict()) for ev in ledger.parts()],
        "figures": [fig.to_dict() for fig in ledger.figures],
        "run_facts": plain(ledger.run_facts),
        "has_checks": config.stash.get(HAS_CHECKS_KEY, False),
    }


def _write_shard(path: Path, config, ledger: Ledger, state: _Session, exitstatus: int) -> None:
    from verify.report.files import ReportWriteError, write_atomically

    payload = {**_ledger_payload(config, ledger),
               "outcomes": [list(o) for o in state.outcomes.values()],
               "exit_status": exitstatus, "started_at": state.started_at,
               "duration_s": time.perf_counter() - config.stash[START_KEY]}
    try:
        write_atomically(path, json.dumps(payload), option="--verify-shard-out")
    except ReportWriteError as exc:
        state.problems.append(f"--verify-shard-out: {exc}")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist controller: merge a finished worker's ledger into the session's."""
    config = node.config
    if not active(config):
        return
    state = config.stash.get(SESSION_KEY, None)
    ledger = config.stash[LEDGER_KEY]
    output = getattr(node, "workeroutput", {}) or {}
    if state is not None:
        state.workers += 1
    payload = output.get(WORKER_OUTPUT_KEY)
    if payload is None:
        if state is not None:
            state.lost_workers.append(getattr(getattr(node, "gateway", None), "id", str(node)))
        return
    data = json.loads(payload)
    for d in data["evidence"]:
        ledger.record(Evidence.from_dict(d))
    ledger.figures.extend(Figure.from_dict(f) for f in data["figures"])
    ledger.note_run(**data["run_facts"])
    if state is not None and data["has_checks"]:
        state.has_checks = True


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ledger = config.stash.get(LEDGER_KEY, None)
    if ledger is None:
        return
    elapsed = time.perf_counter() - config.stash[START_KEY]
    if len(ledger):
        terminalreporter.section("bound compliance")
        terminalreporter.write_line(ledger.table(conditional=_estimated_families(config)))
    terminalreporter.write_line(
        f"verify: profile={config.getoption('verify_profile')} seed={config.option.verify_seed} "
        f"checks={len(ledger)} duration={elapsed:.1f}s")
    mutations = config.getoption("--verify-mutate") or []
    if mutations:
        terminalreporter.write_line(f"verify: MUTATED run ({', '.join(mutations)}): the report judges altered "
                                    "statements and cannot become the baseline", yellow=True, bold=True)
    if config.getoption("--verify-withhold-recorded"):
        terminalreporter.write_line("verify: recorded counterexamples WITHHELD: a rediscovery measurement, which "
                                    "cannot become the baseline", yellow=True, bold=True)
    state = config.stash.get(SESSION_KEY, None)
    if state is None:
        return
    statistical = [o for o in state.outcomes.values() if o.nodeid.split("::")[0] in STATISTICAL_FILES]
    if statistical:
        seconds = sum(o.duration for o in statistical)
        terminalreporter.write_line(
            f"verify: statistical checks {seconds:.1f}s of test time over {len(statistical)} tests "
            f"(target under the ci profile: {STATISTICAL_TARGET_S:g}s)")
    if state.written and state.interrupted:
        terminalreporter.write_line(
            "verify: run INTERRUPTED: its partial report is " + ", ".join(str(p) for p in state.written)
            + f"; any complete report in {state.report_dir} was left as it was", yellow=True, bold=True)
    elif state.written:
        terminalreporter.write_line("verify: report " + ", ".join(str(p) for p in state.written)
                                    + f" (written in {state.report_seconds:.1f}s)")
    for problem in state.problems:
        terminalreporter.write_line(f"verify: ERROR: {problem}", red=True, bold=True)
