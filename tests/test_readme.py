"""The README's promises: its commands are the ones CI runs, and its examples run as written."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

MAX_LINES = 260
COMMAND_TIMEOUT_S = 60


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _shell_commands():
    """Every command of the README's ```bash blocks after the first, one per (joined) line."""
    commands = []
    for block in _blocks("bash")[1:]:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_readme_opens_with_the_two_commands():
    first = _blocks("bash")[0].strip().splitlines()
    assert README.index("```bash") < 200, "the commands come first"
    assert len(first) == 2
    install_verify, install_tests = first
    assert install_verify.endswith("python -m pytest verify")
    assert install_tests.endswith("python -m pytest tests -n auto")


def test_ci_runs_the_readme_commands():
    install_verify, install_tests = _blocks("bash")[0].strip().splitlines()
    for command in {*install_verify.split(" && "), *install_tests.split(" && ")}:
        assert command in CI, f".ci/run does not run the README's command {command!r}"


@pytest.mark.parametrize("code", _blocks("python"), ids=lambda c: c.strip().splitlines()[0][:40])
def test_readme_python_examples_run_as_written(code):
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})


def test_readme_is_short():
    """The README is for users; how-it-works detail and measurements belong in docs/."""
    lines = README.count("\n") + (0 if README.endswith("\n") else 1)
    assert lines <= MAX_LINES, f"README.md has {lines} lines, more than {MAX_LINES}: move detail to docs/"


def test_readme_states_the_number_of_bounds_the_registry_has():
    from bounds import BOUNDS

    stated = [int(n) for n in re.findall(r"\b(\d+) Bounds\b", README)]
    assert len(stated) == 1, f"the README should state the number of Bounds exactly once, found {stated}"
    assert stated[0] == len(BOUNDS), f"the README says {stated[0]} Bounds, the registry has {len(BOUNDS)}"


def test_readme_runs_some_shell_commands():
    assert _shell_commands(), "the README shows no command besides the install block"


@pytest.mark.parametrize("command", _shell_commands())
def test_readme_shell_command_runs(command):
    """Each command of a ```bash block other than the first runs from the project root and exits 0.

    The first block (install, then `pytest verify` and `pytest tests`) is not run here: it takes
    minutes, installs into the environment, and `.ci/run` runs it word for word (see
    test_ci_runs_the_readme_commands). For the same reason the README keeps every other ```bash
    block cheap (seconds each): commands that need a whole `pytest verify` run, write files or
    take minutes (the gate, the false-alarm and rediscovery measurements, mutated runs) are shown
    in ```text blocks, which this test does not run; a `pytest verify` in a ```bash block fails
    this test instead of being run.
    """
    assert "pytest verify" not in command, (
        f"{command!r} runs the checks (minutes): show it in a ```text block, not a ```bash block")
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT_S)
    assert done.returncode == 0, (
        f"{command!r} exited {done.returncode}\nstdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}")


def _github_anchor(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().replace("`", "").replace("*", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _doc_references():
    """Every docs/*.md the README points to: Markdown links (with their anchors) and `docs/...` paths."""
    refs = set(re.findall(r"\]\((docs/[^)#\s]+\.md)(?:#([^)\s]+))?\)", README))
    refs |= {(path, "") for path in re.findall(r"`(docs/[^`#\s]+\.md)`", README)}
    return sorted(refs)


def test_readme_links_to_docs():
    assert _doc_references(), "the README links to no docs/*.md"


@pytest.mark.parametrize("path, anchor", _doc_references(), ids=lambda v: v or "-")
def test_readme_doc_links_resolve(path, anchor):
    target = ROOT / path
    assert target.is_file(), f"README.md links to {path}, which does not exist"
    if anchor:
        headings = re.findall(r"^#{1,6} (.+)$", target.read_text(encoding="utf-8"), flags=re.M)
        anchors = {_github_anchor(h) for h in headings}
        assert anchor in anchors, f"README.md links to {path}#{anchor}; its headings give {sorted(anchors)}"


def _named_modules():
    """Every `python -m <module>` the README names (text blocks and the command table), but pip and pytest."""
    found = {m for m in re.findall(r"python -m ([A-Za-z_][\w.]*)", README) if not m.endswith(".")}
    return sorted(found - {"pip", "pytest"})


@pytest.mark.parametrize("module", _named_modules())
def test_every_command_the_readme_names_has_help(module):
    """The README names commands it does not run (they take minutes or need a report): each exists and has --help.

    ``verify.checks.<kind>`` in the command table stands for the kinds listed beside it; those are
    covered by tests/test_command_lines.py's list of entry points, which this test also holds the
    README to.
    """
    done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT_S)
    assert done.returncode == 0 and "usage:" in done.stdout, f"python -m {module} --help: {done.stderr[-1500:]}"


def test_the_replay_kinds_the_readme_lists_are_entry_points():
    from tests.test_command_lines import ENTRY_POINTS

    row = next(line for line in README.splitlines() if "python -m verify.checks.<kind>" in line)
    kinds = re.findall(r"`(\w+)`", row.split("|")[2])
    assert kinds and all(f"verify.checks.{k}" in ENTRY_POINTS for k in kinds), kinds


def test_every_pytest_verify_option_the_readme_shows_exists():
    """The options in the README's `pytest verify` lines are options of the plugin (or of pytest and xdist)."""
    shown = set()
    for line in README.splitlines():
        if "pytest verify" in line:
            shown |= set(re.findall(r"(?<![\w-])(--[a-z][\w-]*|-[nk])\b", line.split("#")[0]))
    done = subprocess.run([sys.executable, "-m", "pytest", "verify", "--help", "-p", "no:cacheprovider"], cwd=ROOT,
                          capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-1500:]
    missing = sorted(o for o in shown if not re.search(rf"(?<![\w-]){re.escape(o)}\b", done.stdout))
    assert shown and not missing, f"the README shows options pytest verify does not have: {missing}"
