"""One task of a sweep: a ``pytest verify`` run at one seed, or one shard of it, in a subprocess.

The task runs on whichever Dask worker the scheduler picks.  It runs the checks of the
worker's own checkout of the suite (the directory holding the installed ``verify``
package), so every machine of a cluster needs the suite installed from a checkout
(``pip install -e``).  It never writes into the sweep's directory: it returns its record,
and the client writes it (the client's disk is the one that holds the sweep, whichever
machine the worker is on).

A run that wrote its report completed, whatever its tests said (a run whose search lost a
finding fails a test by design; the merge counts it).  A run that wrote none, was killed,
timed out, or stopped for another reason than failed tests, crashed: its record keeps the
reason and the tail of its output.
"""
from __future__ import annotations

import atexit
import ctypes
import json
import os
import signal
import socket
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# pytest's exit codes: 0 all passed, 1 some tests failed; anything else means the run itself
# did not do what was asked (2 interrupted, 3 internal error, 4 usage error, 5 nothing collected).
COMPLETED_EXIT = (0, 1)
TAIL_LINES = 40


@dataclass(frozen=True)
class TaskSpec:
    """What one subprocess runs: the seed's run, or shard ``shard`` of ``shards`` of it (its node ids)."""

    seed: int
    profile: str = "ci"
    select: str | None = None
    paths: tuple[str, ...] = ("verify",)
    withhold_recorded: bool = False
    shard: int = 0
    shards: int = 1
    nodes: tuple[str, ...] = ()
    timeout_s: float | None = None

    @property
    def label(self) -> str:
        return f"seed {self.seed}" + (f" shard {self.shard + 1}/{self.shards}" if self.shards > 1 else "")

    def pytest_args(self, report_dir: Path, shard_file: Path, nodes_file: Path | None) -> list[str]:
        targets = [f"@{nodes_file}"] if nodes_file is not None else list(self.paths)
        args = [sys.executable, "-m", "pytest", *targets, "-q", "-p", "no:cacheprovider",
                "--verify-profile", self.profile, "--verify-seed", str(self.seed),
                "--report-dir", str(report_dir), "--report-format", "json", "--verify-shard-out", str(shard_file)]
        if self.select:
            args += ["-k", self.select]
        if self.withhold_recorded:
            args.append("--verify-withhold-recorded")
        return args


def project_root() -> Path:
    """The checkout this process's ``verify`` package belongs to: where its tests and pytest settings are."""
    import verify

    return Path(verify.__file__).resolve().parents[1]


_REPORT_DIR: list[Path] = []


def _report_dir() -> Path:
    """This worker process's report directory, the same for all its tasks (one at a time), emptied of reports.

    Kept so that its .cache/ (verify/judge/cache.py: the proof audit, the registry's printed
    statements) is computed once per worker, not once per seed.  Private to the user (mkdtemp)
    and removed when the worker exits.
    """
    if not _REPORT_DIR:
        path = Path(tempfile.mkdtemp(prefix="verify-sweep-worker-"))
        atexit.register(shutil.rmtree, path, True)
        _REPORT_DIR.append(path)
    path = _REPORT_DIR[0]
    for name in ("compliance.json", "junit.xml", "index.html", "erratum.html"):
        (path / name).unlink(missing_ok=True)
    return path


def _die_with_parent() -> None:
    """In the child, before exec: be killed when the worker that started it dies.

    A Dask worker killed mid-task has its task rescheduled on another worker; without this
    its pytest run would go on as an orphan and use a core the new run needs.  Linux only
    (prctl PR_SET_PDEATHSIG); elsewhere nothing is done.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_task(spec: TaskSpec) -> dict:
    """Run ``spec`` in a subprocess; return its record: completed with the run's report, or crashed with why."""
    root = project_root()
    base = {"seed": spec.seed, "shard": spec.shard, "shards": spec.shards, "host": socket.gethostname(),
            "pid": os.getpid()}
    if not (root / "pyproject.toml").is_file() or not (root / "verify" / "checks").is_dir():
        return {**base, "status": "crashed", "exit_status": None, "duration_s": 0.0,
                "reason": f"the verify package on {base['host']} ({root}) is not a checkout of the suite; "
                          "install it from a checkout (pip install -e .) on every worker", "tail": ""}
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="verify-sweep-") as tmp:
        tmp = Path(tmp)
        nodes_file = None
        if spec.nodes:
            nodes_file = tmp / "nodes.txt"
            nodes_file.write_text("\n".join(spec.nodes) + "\n")
        report_dir, shard_file = _report_dir(), tmp / "shard.json"
        args = spec.pytest_args(report_dir, shard_file, nodes_file)
        try:
            proc = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=spec.timeout_s,
                                  preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            return {**base, "status": "crashed", "exit_status": None, "duration_s": time.monotonic() - began,
                    "reason": f"timed out after {spec.timeout_s:g} s (--timeout)", "tail": _tail(out)}
        duration = time.monotonic() - began
        output = proc.stdout + ("\n" + proc.stderr if proc.stderr.strip() else "")
        record = {**base, "exit_status": proc.returncode, "duration_s": duration, "tail": _tail(output)}
        why = _why_crashed(proc.returncode, shard_file)
        if why:
            return {**record, "status": "crashed", "reason": why}
        payload = json.loads(shard_file.read_text())
        outcomes = [o[1] for o in payload["outcomes"]]
        record.update(status="completed",
                      tests={k: outcomes.count(k) for k in ("passed", "failed", "error", "skipped")},
                      failed_tests=[o[0] for o in payload["outcomes"] if o[1] in ("failed", "error")])
        if spec.shards > 1:
            record["payload"] = payload  # merged with the seed's other shards by the client
        else:
            compliance = report_dir / "compliance.json"
            record["compliance"] = json.loads(compliance.read_text()) if compliance.is_file() else None
            if record["compliance"] is None:
                return {**record, "status": "crashed", "reason": "the pytest run wrote no compliance.json"}
        return record


def _why_crashed(returncode: int, shard_file: Path) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the pytest run was killed by {name}"
    if returncode == 5:
        return "no tests were collected (check --select and the paths)"
    if returncode not in COMPLETED_EXIT:
        return f"the pytest run ended with exit status {returncode} (not a test outcome)"
    if not shard_file.is_file():
        return "the pytest run wrote no ledger (--verify-shard-out)"
    return ""


def _tail(text: str) -> str:
    return "\n".join(text.strip().splitlines()[-TAIL_LINES:])
