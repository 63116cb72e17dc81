"""The layout's rules, read from the code's own imports (every import, at module level or inside a function).

verify/ has three rooms and a face (docs/architecture.md):
  * verify/model/  the paper's objects: families, objectives, algorithms, errors;
  * verify/judge/  what turns evidence into verdicts: statistics, evidence, findings, mutations, sharpness,
    figures as SVG text, and the command lines' argument types (cli);
  * verify/checks/ the checks, one module per kind, with their pytest files;
  * the face: verify/plugin.py, verify/judge/cli.py, the command lines (replay, rediscovery, false_alarms,
    sweep) and verify/report/.
The registry, bounds/, is below all of them.  The rules: each room imports only the rooms below it
(model < judge < checks < face), bounds/ imports nothing of verify/, the report never imports a check,
and no module reaches itself again through its imports (no cycles).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bounds", "verify")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _project(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports: ``from X import y`` counts as X.y where that is a module, else X.

    Dynamic imports with a literal name (``importlib.import_module("verify.x")``, ``__import__("verify.x")``)
    count too.  An import of a project module that does not exist is an error, not an edge to its package.
    """
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [(a.name, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [(f"{module}.{a.name}" if f"{module}.{a.name}" in known else module, module) for a in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and (getattr(node.func, "attr", None) == "import_module" or getattr(node.func, "id", None) in
                   ("__import__", "import_module"))):
            targets = [(node.args[0].value, node.args[0].value)]
        else:
            continue
        for t, written in targets:
            if not _project(written):
                continue
            assert written in known, f"{name} imports {written}, which is not a module of the project"
            while t and t not in known:  # import a.b.c of a module: the deepest known prefix
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


MODULES = _modules()
GRAPH = {name: _imports(name, path, set(MODULES)) for name, path in MODULES.items()}

FACE = ("verify.plugin", "verify.judge.cli", "verify.replay", "verify.rediscovery", "verify.false_alarms",
        "verify.conftest", "verify.__main__", "verify.report", "verify.sweep")
RANK = {"bounds": 0, "verify.model": 1, "verify.judge": 2, "verify.checks": 3}


def _room(module: str) -> str:
    for room in RANK:
        if module == room or module.startswith(room + "."):
            return room
    if module == "verify" or any(module == f or module.startswith(f + ".") for f in FACE):
        return "face"
    raise AssertionError(f"{module} is in no room of docs/architecture.md")


def test_every_module_is_in_a_room():
    for name in MODULES:
        _room(name)


@pytest.mark.parametrize("room", list(RANK))
def test_each_room_imports_only_the_rooms_below_it(room):
    wrong = sorted(f"{a} imports {b}" for a, deps in GRAPH.items() if _room(a) == room for b in deps
                   if _room(b) == "face" or RANK[_room(b)] > RANK[room])
    assert not wrong, "\n".join(wrong)


def test_the_report_never_imports_a_check():
    wrong = sorted(f"{a} imports {b}" for a, deps in GRAPH.items() if a.startswith("verify.report")
                   for b in deps if _room(b) == "verify.checks")
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_sees_a_cycle():
    # The rule above is only as good as its finder: a two-module and a three-module loop are seen.
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}) == [
        ["a", "b"], ["c", "d", "e"]]


def test_the_graph_reads_dynamic_imports_and_refuses_missing_modules(tmp_path):
    pkg = tmp_path / "verify"
    pkg.mkdir()
    (pkg / "a.py").write_text("import importlib\n\ndef f():\n    return importlib.import_module('verify.b')\n")
    assert _imports("verify.a", pkg / "a.py", {"verify", "verify.a", "verify.b"}) == {"verify.b"}
    (pkg / "c.py").write_text("def f():\n    from verify.pointwise import CASES\n")
    with pytest.raises(AssertionError, match="not a module of the project"):
        _imports("verify.c", pkg / "c.py", {"verify", "verify.c"})


def test_the_graph_reads_relative_and_function_level_imports():
    # verify.checks.extremal imports the four check modules that register extremal runners.
    assert {"verify.checks.pointwise", "verify.judge.sharpness"} <= GRAPH["verify.checks.extremal"]
    # verify/report/writer.py imports its html renderer inside a function (the report extra is optional).
    assert "verify.report.html" in GRAPH["verify.report.writer"]
