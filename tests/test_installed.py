"""The suite from an installed wheel: built, installed in a fresh venv, run from a directory outside the checkout.

The venv borrows the running environment's dependencies (numpy, sympy, pytest, ...) through a
``.pth`` line, so the test downloads nothing but the build backend; the suite itself comes only
from the wheel (a ``.pth`` line does not run the checkout's editable-install hook, so the
checkout's ``verify`` is not importable there, which the test asserts).
"""
from __future__ import annotations

import json
import os
import re
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args, cwd, timeout=600):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    out = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{' '.join(map(str, args))} exited {out.returncode}:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the venv's python, a working directory outside the checkout) with the wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", ROOT], cwd=tmp)
    wheel = next((tmp / "dist").glob("maml_convergence_verify-*.whl"))
    _run([sys.executable, "-m", "venv", tmp / "venv"], cwd=tmp)
    python = tmp / "venv" / "bin" / "python"
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp)
                   .stdout.strip())
    (purelib / "borrowed-dependencies.pth").write_text("\n".join(site.getsitepackages() + [site.getusersitepackages()]))
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel], cwd=tmp)
    work = tmp / "elsewhere"
    work.mkdir()
    return python, work


def test_the_package_comes_from_the_wheel(installed):
    python, work = installed
    where = _run([python, "-c", "import verify, bounds; print(verify.__file__); print(bounds.__file__)"], cwd=work)
    for line in where.stdout.split():
        assert ROOT not in Path(line).parents and "site-packages" in line, where.stdout


def test_maml_verify_run_writes_the_report_in_the_current_directory(installed):
    python, work = installed
    out = _run([python.parent / "maml-verify", "run", "-k", "lemma_4_8 and quadratic-mixed", "--report-format", "json",
                "--", "-p", "no:cacheprovider", "-q"], cwd=work)
    assert "bound compliance" in out.stdout
    # -k selects from every test module of the wheel: each was imported (collected) without an error.
    assert re.search(r"1 passed, (\d{3,}) deselected", out.stdout), out.stdout[-2000:]
    assert int(re.search(r"(\d+) deselected", out.stdout).group(1)) > 700
    doc = json.loads((work / "reports" / "compliance.json").read_text())
    judged = {(r["bound_id"], r["verdict"]) for r in doc["results"]}
    assert ("lemma_4_8", "holds") in judged, sorted(judged)


def test_pytest_pyargs_loads_the_plugin_by_its_entry_point(installed, tmp_path):
    python, _ = installed
    out = _run([python, "-m", "pytest", "--pyargs", "verify.checks.test_dimensional_consistency", "-q",
                "-p", "no:cacheprovider", "--verify-profile", "ci", "--report-format", "json"], cwd=tmp_path)
    assert "verify: report" in out.stdout
    doc = json.loads((tmp_path / "reports" / "compliance.json").read_text())
    assert doc["results"] and doc["run"]["profile"] == "ci"


OTHER_PROJECT = '''
import json, os
from hypothesis import given, settings, strategies as st

def test_its_own_hypothesis_settings():
    d = settings.default
    with open(os.environ["SETTINGS_OUT"], "w") as f:
        json.dump([d.max_examples, d.derandomize, d.database is None, str(d.deadline)], f)

@given(st.integers())
def test_a_property(x):
    assert x == x
'''


def test_another_projects_run_is_left_alone(installed, tmp_path, monkeypatch):
    """Installed, the plugin is loaded into every pytest run of the environment: there it only adds its options.

    The other project's hypothesis settings are those of the same run with the plugin blocked (hypothesis
    itself loads a profile of its own where CI is set)."""
    python, _ = installed
    (tmp_path / "test_other.py").write_text(OTHER_PROJECT)
    monkeypatch.setenv("SETTINGS_OUT", str(tmp_path / "with-plugin.json"))
    out = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path)
    monkeypatch.setenv("SETTINGS_OUT", str(tmp_path / "without.json"))
    _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:verify.plugin"], cwd=tmp_path)
    assert (tmp_path / "with-plugin.json").read_text() == (tmp_path / "without.json").read_text()
    assert "2 passed" in out.stdout and "verify:" not in out.stdout, out.stdout
    assert not (tmp_path / "reports").exists()  # (pytest-benchmark, installed here, makes its .benchmarks/)
    help_text = _run([python, "-m", "pytest", "--help", "-p", "no:cacheprovider"], cwd=tmp_path).stdout
    assert "--verify-profile" in help_text
