"""The README's promises: its commands are the ones CI runs, and its examples run as written."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


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
