"""Writing the report directory so that a good report is never replaced by a broken one.

Every file is rendered in memory first; only then is each written to a temporary
file in the report directory itself (so the rename stays on one file system),
flushed to disk, and moved over the old file with ``os.replace``, which is atomic.
A failure at any point leaves the previous report as it was and no temporary
file behind.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from verify.judge.cache import CACHE_DIR_NAME

from .compliance import dumps
from .files import ReportWriteError, write_atomically, write_temporary, why_unwritable
from .junit import TestOutcome
from .junit import render as render_junit

COMPLIANCE = "compliance.json"
INDEX = "index.html"
ERRATUM = "erratum.html"
JUNIT = "junit.xml"
# The imports index.html needs, from pyproject's `report` extra.
REPORT_EXTRA = ("jinja2", "markupsafe", "matplotlib")


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    # Why index.html was not written (its extra is not installed), else "".
    skipped_html: str = ""


def check_writable(report_dir: Path, option: str = "--report-dir") -> None:
    """Fail early, before the checks run, if the report cannot be written where asked."""
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=report_dir, prefix=".probe-", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ReportWriteError(why_unwritable(report_dir, exc, option)) from None


# Where an interrupted run writes what it had (a subdirectory of the report directory), so that
# it never replaces a complete report.
INTERRUPTED_DIR = "interrupted"
# The temporary files this module makes; one that outlives its run (the process was killed while
# writing) is removed by the next run (``remove_stale_temporaries``).
_TEMPORARY_PATTERNS = tuple(f".{name}.*.tmp" for name in (COMPLIANCE, INDEX, ERRATUM, JUNIT)) + (".probe-*.tmp",)


def remove_stale_temporaries(report_dir: Path) -> list[Path]:
    """Delete the temporaries a killed run left in ``report_dir`` (and its interrupted/); return them."""
    removed = []
    for directory in (Path(report_dir), Path(report_dir) / INTERRUPTED_DIR):
        if not directory.is_dir():
            continue
        for pattern in _TEMPORARY_PATTERNS:
            for path in directory.glob(pattern):
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
    return removed


def write_report(report_dir: Path, doc: dict, outcomes: Iterable[TestOutcome] = (), *, html: bool = True,
                 option: str = "--report-dir") -> Written:
    """Write compliance.json, junit.xml, and (if ``html``) index.html and erratum.html into ``report_dir``."""
    files = {COMPLIANCE: dumps(doc), JUNIT: render_junit(doc, outcomes)}
    written = Written()
    if html:
        try:
            from .html import render, render_erratum

            files[INDEX] = render(doc, Path(report_dir) / CACHE_DIR_NAME)
            files[ERRATUM] = render_erratum(doc)
        except ImportError as exc:
            if exc.name not in REPORT_EXTRA:
                raise
            # Without the report extra the JSON, the JUnit file and so the gate still work.
            written.skipped_html = f'{INDEX} not written: {exc.name} is not installed (pip install -e ".[report]")'
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError(why_unwritable(report_dir, exc, option)) from None
    temps: dict[str, str] = {}
    try:
        for name, text in files.items():
            temps[name] = write_temporary(report_dir, name, text)
        # The JSON last: a reader that sees the new compliance.json sees the new page and junit too.
        for name in sorted(temps, key=lambda n: n == COMPLIANCE):
            os.replace(temps.pop(name), report_dir / name)
            written.paths.append(report_dir / name)
    except OSError as exc:
        raise ReportWriteError(why_unwritable(report_dir, exc, option)) from None
    finally:
        for tmp in temps.values():
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return written


__all__ = ["COMPLIANCE", "ERRATUM", "INDEX", "JUNIT", "INTERRUPTED_DIR", "ReportWriteError", "Written", "check_writable",
           "remove_stale_temporaries", "write_atomically", "write_report"]
