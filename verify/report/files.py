"""Atomic file writes for the report: a temporary beside the target, flushed, then renamed over it.

``os.replace`` is atomic on one file system, so a reader sees the old file or the new one,
never a part; a failure leaves the old file as it was and no temporary behind.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

# The Content-Security-Policy of every page the suite writes (index.html, erratum.html, sweep.html):
# inline styles and data: images only, nothing fetched, no form or base to redirect.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
# mkstemp makes files only the owner can read; a report is for everyone who can see the directory.
FILE_MODE = 0o644


class ReportWriteError(OSError):
    """The report directory cannot be written; the message names it and the reason."""


def write_atomically(path: Path, text: str, *, option: str = "--report-dir") -> None:
    """One file, written to a temporary beside it and renamed over it; ``option`` is what the error tells to change."""
    path = Path(path)
    try:
        tmp = write_temporary(path.parent, path.name, text)
    except OSError as exc:
        raise ReportWriteError(why_unwritable(path.parent, exc, option)) from None
    try:
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise ReportWriteError(why_unwritable(path.parent, exc, option)) from None


def write_temporary(directory: Path, name: str, text: str) -> str:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def why_unwritable(report_dir: Path, exc: OSError, option: str = "--report-dir") -> str:
    reason = exc.strerror or str(exc)
    return (f"cannot write the report to {report_dir}: {reason}"
            f"{f' ({exc.filename})' if exc.filename and str(exc.filename) != str(report_dir) else ''}; "
            f"choose another directory with {option}; any earlier report there is left as it was")
