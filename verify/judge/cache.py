"""A disk cache for the exact, deterministic results a run would otherwise recompute in every process.

The proof audit (verify/checks/audit.py) re-derives every numeric step of Appendices A-H in
exact sympy arithmetic: about 10 s that gave the same answer at every run and, under
``pytest -n 2``, in every xdist worker.  Its result depends only on source files and library
versions, so it is stored once, under a key that is a hash of all of them, and read back by
every later process whose key agrees.

Why a disk cache rather than the xdist controller computing the result and shipping it to the
workers: the controller would compute it before any worker could use it (10 s with both
workers waiting), a serial run would gain nothing, and the result would have to cross the
execnet channel; on disk it is computed once per change of the sources, serial runs and
workers alike read it, and it works with ``-p no:cacheprovider`` (pytest's own cache is then
absent).  Two workers that start on a cold cache both compute it (no lock: a waiting worker
would idle its core as long as the computing one works) and both write it; each write is
atomic, so the file is always one writer's whole result.

A file is trusted only if it is whole and its key is the current one:

* the file starts with a header line naming the format, the key, and the SHA-256 of the payload;
* a different key (a source file or a library changed) is *stale*: recomputed and overwritten;
* a header or payload that does not parse, or a payload whose hash differs (a truncated or
  damaged file), is *corrupt*: recomputed and overwritten, never unpickled;
* writes go to a temporary file in the same directory, renamed over the old one (``os.replace``),
  so a reader never sees a half-written file and concurrent writers cannot interleave.

The payload is a pickle: the cached values are sympy expressions, which pickle exactly
(a structurally equal expression comes back).  The directory is the run's own (under the
report directory), never a shared location, so the pickle is as trusted as the sources it is
keyed on.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import platform
import tempfile
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = b"maml-verify-cache/1"
PICKLE_PROTOCOL = 4
# The directory, under the report directory, that holds the cache files.
CACHE_DIR_NAME = ".cache"


class CacheKeyError(ValueError):
    """A cache key names a file that cannot be read: the key would not describe what the result depends on."""


def content_key(files: Iterable[Path], *, root: Path, packages: Iterable[str] = (),
                extra: Mapping[str, str] | None = None) -> str:
    """SHA-256 over the given source files (their paths relative to ``root`` and bytes), the Python
    version, the versions of ``packages`` and ``extra``: what a cached result depends on.
    """
    h = hashlib.sha256()
    h.update(FORMAT + b"\0python " + platform.python_version().encode() + b"\0pickle %d\0" % PICKLE_PROTOCOL)
    for name in sorted(packages):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        h.update(f"package {name} {version}\0".encode())
    for k, v in sorted((extra or {}).items()):
        h.update(f"extra {k}={v}\0".encode())
    for path in sorted({Path(p).resolve() for p in files}):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CacheKeyError(f"cache key: cannot read {path}: {exc}") from None
        h.update(f"file {path.relative_to(Path(root).resolve()).as_posix()} {len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _path(directory: Path, name: str) -> Path:
    if not name or any(c in name for c in "/\\\0") or name.startswith("."):
        raise ValueError(f"cache name {name!r} must be a plain file name")
    return Path(directory) / f"{name}.pickle"


def read(directory: Path, name: str, key: str) -> tuple[str, object]:
    """("hit", value), ("missing", None), ("stale", None) or ("corrupt", None) for the cache file ``name``."""
    path = _path(directory, name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing", None
    except OSError:
        return "corrupt", None
    header, sep, payload = data.partition(b"\n")
    parts = header.split(b" ")
    if not sep or len(parts) != 3 or parts[0] != FORMAT:
        return "corrupt", None
    if parts[1] != key.encode():
        return "stale", None
    if hashlib.sha256(payload).hexdigest().encode() != parts[2]:
        return "corrupt", None
    try:
        return "hit", pickle.loads(payload)
    except Exception:  # a payload whose hash matches but does not load (another library's classes): recompute
        return "corrupt", None


def write(directory: Path, name: str, key: str, value) -> Path:
    """Store ``value`` under ``key`` atomically: a temporary file in the same directory, renamed over the old."""
    path = _path(directory, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(value, protocol=PICKLE_PROTOCOL)
    header = b" ".join((FORMAT, key.encode(), hashlib.sha256(payload).hexdigest().encode()))
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(header + b"\n" + payload)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def load_or_compute(directory: Path | None, name: str, key: str, compute: Callable[[], T]) -> tuple[T, str]:
    """The cached value of ``name`` under ``key``, or ``compute()`` stored there; and how it was obtained.

    The second item is "hit", or the reason it was computed ("missing", "stale", "corrupt",
    "no cache directory", "unwritable: ...").  A directory that cannot be written costs the
    computation at every run, never the result.
    """
    if directory is None:
        return compute(), "no cache directory"
    status, value = read(directory, name, key)
    if status == "hit":
        return value, status
    value = compute()
    try:
        write(directory, name, key, value)
    except OSError as exc:
        return value, f"unwritable: {exc}"
    return value, status
