"""The disk cache of exact results (verify/judge/cache.py) and the proof audit's use of it (verify/checks/audit.py)."""
import ast
import multiprocessing
import os
from pathlib import Path

import pytest
import sympy as sp

from verify.judge import cache

ROOT = Path(__file__).resolve().parents[1]
KEY = "a" * 64


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_missing_file_is_computed_and_then_read_back(tmp_path):
    x = sp.Symbol("x", positive=True)
    value = {"tightest": sp.sqrt(2) / 3 + x, "n": 3}
    compute, calls = _counting(value)
    first, status = cache.load_or_compute(tmp_path, "step", KEY, compute)
    assert status == "missing" and first == value and len(calls) == 1
    second, status = cache.load_or_compute(tmp_path, "step", KEY, compute)
    assert status == "hit" and len(calls) == 1
    # Exact values come back exactly, assumptions on symbols included.
    assert second == value and second["tightest"].free_symbols.pop().is_positive


def test_a_stale_key_is_recomputed_and_overwritten(tmp_path):
    cache.write(tmp_path, "step", KEY, "old")
    compute, calls = _counting("new")
    value, status = cache.load_or_compute(tmp_path, "step", "b" * 64, compute)
    assert (value, status, len(calls)) == ("new", "stale", 1)
    assert cache.read(tmp_path, "step", "b" * 64) == ("hit", "new")
    assert cache.read(tmp_path, "step", KEY) == ("stale", None)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty", "bad header"])
def test_a_corrupt_file_is_recomputed_never_trusted(tmp_path, damage):
    path = cache.write(tmp_path, "step", KEY, list(range(1000)))
    data = path.read_bytes()
    if damage == "truncated":
        data = data[:-10]
    elif damage == "flipped":
        data = data[:-5] + bytes([data[-5] ^ 1]) + data[-4:]
    elif damage == "garbage":
        data = os.urandom(300)
    elif damage == "empty":
        data = b""
    else:
        data = b"not-the-format " + data
    path.write_bytes(data)
    compute, calls = _counting("recomputed")
    value, status = cache.load_or_compute(tmp_path, "step", KEY, compute)
    assert (value, status, len(calls)) == ("recomputed", "corrupt", 1)
    assert cache.read(tmp_path, "step", KEY) == ("hit", "recomputed")


def test_a_payload_that_does_not_unpickle_is_recomputed(tmp_path):
    # Its hash matches (the file is whole) but it names a class that no longer exists.
    import hashlib
    payload = b"\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00\x8c\x0bno_such_mod\x94\x8c\x03Cls\x94\x93\x94."
    header = b" ".join((cache.FORMAT, KEY.encode(), hashlib.sha256(payload).hexdigest().encode()))
    (tmp_path / "step.pickle").write_bytes(header + b"\n" + payload)
    assert cache.read(tmp_path, "step", KEY) == ("corrupt", None)


def _writer(args):
    directory, k = args
    for i in range(20):
        cache.write(Path(directory), "shared", KEY, [k] * 20000 + [i])
    return k


def test_concurrent_writers_leave_one_whole_file(tmp_path):
    # Four processes overwrite the same entry 20 times each; every read in between and after sees
    # one writer's whole value (the rename is atomic), and no temporary file is left behind.
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pending = pool.map_async(_writer, [(str(tmp_path), k) for k in range(4)])
        seen = []
        while not pending.ready():
            status, value = cache.read(tmp_path, "shared", KEY)
            if status == "hit":
                seen.append(value)
        pending.get(timeout=120)
    status, value = cache.read(tmp_path, "shared", KEY)
    assert status == "hit"
    for v in seen + [value]:
        assert len(v) == 20001 and len(set(v[:-1])) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["shared.pickle"]


def test_an_unwritable_directory_still_gives_the_computed_value(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory should be")
    value, status = cache.load_or_compute(blocked / "sub", "step", KEY, lambda: 7)
    assert value == 7 and status.startswith("unwritable")


def test_the_key_changes_with_a_source_file_and_names_an_unreadable_one(tmp_path):
    src = tmp_path / "a.py"
    src.write_text("x = 1\n")
    k1 = cache.content_key([src], root=tmp_path, packages=["sympy"])
    assert k1 == cache.content_key([src], root=tmp_path, packages=["sympy"])
    src.write_text("x = 2\n")
    assert cache.content_key([src], root=tmp_path, packages=["sympy"]) != k1
    assert cache.content_key([src], root=tmp_path, packages=["sympy", "numpy"]) != \
        cache.content_key([src], root=tmp_path, packages=["sympy"])
    with pytest.raises(cache.CacheKeyError, match="missing.py"):
        cache.content_key([tmp_path / "missing.py"], root=tmp_path)


def _project_imports(module: str) -> set[str]:
    """The project modules ``module`` reaches through its imports (at module level or in a function)."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        base = ROOT.joinpath(*name.split("."))
        path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's package, one level up per extra dot
                    pkg = name.split(".") if base.is_dir() else name.split(".")[:-1]
                    pkg = pkg[: len(pkg) - (node.level - 1)]
                    stem = ".".join(pkg + ([node.module] if node.module else []))
                else:
                    stem = node.module
                found = [stem] + [f"{stem}.{a.name}" for a in node.names]
            else:
                continue
            todo += [f for f in found if f and f.split(".")[0] in ("bounds", "verify")]
    return seen


def test_the_audit_cache_key_covers_every_module_the_audit_imports():
    from verify.checks import audit

    keyed = {p.resolve() for p in audit.cache_files()}
    for name in _project_imports("verify.checks.audit"):
        base = ROOT.joinpath(*name.split("."))
        path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if path.exists():
            assert path.resolve() in keyed, f"{path} is imported by the audit but not in its cache key"


def test_the_audit_read_from_the_cache_is_the_computed_audit(tmp_path, monkeypatch):
    from verify.checks import audit

    fresh = audit._compute()
    cache.write(tmp_path, audit.CACHE_NAME, audit.cache_key(), fresh)
    monkeypatch.setattr(audit, "_AUDIT", None)
    monkeypatch.setattr(audit, "_CONTROLS", None)
    monkeypatch.setattr(audit, "_compute", lambda: pytest.fail("a valid cache file was recomputed"))
    audit.load(tmp_path)
    assert audit.cache_status == "hit"
    for step_id, (printed, corrected, found, uses, false_uses) in fresh["steps"].items():
        row = audit.audit()[step_id]
        assert (row.printed, row.corrected, row.found, row.uses, row.false_uses) == (
            printed, corrected, found, uses, false_uses)
        assert row.bound is audit.BOUNDS[step_id]
        assert audit.negative_control(step_id) == fresh["controls"][step_id]
    assert list(audit.audit()) == [b.id for b in audit.steps()]


def test_an_audit_cache_with_other_steps_is_recomputed(tmp_path, monkeypatch):
    from verify.checks import audit

    cache.write(tmp_path, audit.CACHE_NAME, audit.cache_key(), {"steps": {}, "controls": {}})
    monkeypatch.setattr(audit, "_AUDIT", None)
    monkeypatch.setattr(audit, "_CONTROLS", None)
    audit.load(tmp_path)
    assert audit.cache_status.startswith("recomputed") and len(audit.audit()) == len(audit.steps())
