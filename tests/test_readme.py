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
    assert install_tests.endswith("python -m pytest tests")


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
