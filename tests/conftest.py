"""Fixtures shared by the tests of the suite's own machinery."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAPER = ROOT.parent / "shared" / "paper" / "maml-convergence-theory.txt"


@pytest.fixture(scope="session")
def paper_text() -> str:
    """The paper's text, which lives beside the project (../shared/paper), never inside it.

    MAML_PAPER_TEXT overrides the location.  Where the text is absent the test is
    skipped with the reason, except under CI (CI=true), where the shared folder is
    always laid beside the checkout and its absence is an error.
    """
    path = Path(os.environ.get("MAML_PAPER_TEXT", DEFAULT_PAPER))
    if not path.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the paper's text is not at {path} (set MAML_PAPER_TEXT)")
        pytest.skip(f"the paper's text is not at {path}; set MAML_PAPER_TEXT to check references against it")
    return path.read_text(encoding="utf-8")
