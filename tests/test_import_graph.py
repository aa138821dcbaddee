"""The project's import graph, read with `ast` (nothing is imported): no cycle, counting the imports
inside functions too (an import moved into a function hides a cycle, it does not remove it); the
domain side (assets/, schemas/) never imports Dagster or pipelines/; and an import of a project module
inside a function is either in a `jembatan` command (pipelines/commands/: deferred so the CLI starts at
once) or says on its line why it is deferred.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assets", "pipelines", "schemas", "sample_data")
DOMAIN = ("assets", "schemas")
DEFERRED_ANYWHERE = ("pipelines.commands",)


def project_modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the project's packages under `root`."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports(root: Path) -> list[tuple[str, str, int, bool, bool]]:
    """Every import in the project as (importing module, imported name, line, inside a function, the line
    carries a comment). The imported name is dotted and absolute (relative imports resolved); for
    `from a import b` it is "a.b" (a module or a name in a)."""
    found = []
    for module, path in project_modules(root).items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]

        def visit(node: ast.AST, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                names = []
                if isinstance(child, ast.Import):
                    names = [alias.name for alias in child.names]
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        parts = package.split(".")[:len(package.split(".")) - child.level + 1]
                        base = ".".join([*parts, *([child.module] if child.module else [])])
                    names = [base] + [f"{base}.{alias.name}" for alias in child.names]
                for name in names:
                    end = lines[child.end_lineno - 1] if child.end_lineno else ""
                    found.append((module, name, child.lineno, in_function, "#" in end))
                visit(child, nested)

        visit(ast.parse(text, filename=str(path)), False)
    return found


def graph(root: Path) -> dict[str, dict[str, int]]:
    """Module -> {project module it imports: line}: the graph the cycle check walks."""
    modules = project_modules(root)
    edges: dict[str, dict[str, int]] = {module: {} for module in modules}
    for module, name, line, _, _ in imports(root):
        target = name
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != module and name.split(".")[0] in PACKAGES:
            edges[module].setdefault(target, line)
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, {}):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_no_import_cycle():
    edges = graph(ROOT)
    assert len(edges) > 100                      # the walk found the project
    found = cycles(edges)
    shown = ["; ".join(f"{a} -> {b} (line {edges[a][b]})" for a in c for b in edges[a] if b in c) for c in found]
    assert not found, "import cycles:\n" + "\n".join(shown)


def test_domain_never_imports_dagster_or_pipelines():
    wrong = [f"{module} line {line}: {name}" for module, name, line, _, _ in imports(ROOT)
             if module.split(".")[0] in DOMAIN
             and (name.split(".")[0] == "pipelines" or name.split(".")[0].startswith("dagster"))]
    assert not wrong, "the domain side imports the Dagster side:\n" + "\n".join(sorted(set(wrong)))


def test_dagster_objects_live_under_defs():
    """Outside pipelines/defs/, only the code location, the run-side of the CLI and the cluster use Dagster."""
    allowed = ("pipelines.defs", "pipelines.definitions", "pipelines.sync_run", "pipelines.summary",
               "pipelines.progress", "pipelines.commands", "pipelines.cluster")
    wrong = sorted({module for module, name, _, _, _ in imports(ROOT)
                    if name.split(".")[0] == "dagster" and not module.startswith(allowed)})
    assert not wrong, f"Dagster used outside pipelines/defs/: {wrong}"


def test_function_level_imports_are_deferred_on_purpose():
    modules = project_modules(ROOT)
    hidden = sorted({f"{module} line {line}: {name}" for module, name, line, inside, commented in imports(ROOT)
                     if inside and not commented and name.split(".")[0] in PACKAGES
                     and not module.startswith(DEFERRED_ANYWHERE)
                     and (name in modules or name.rpartition(".")[0] in modules)})
    assert not hidden, ("imports of project modules inside functions (move them to the top, or say on the "
                        "line why the import is deferred):\n" + "\n".join(hidden))


def test_a_cycle_is_found(tmp_path):
    """The check fails on a cycle, one hidden inside a function included."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "assets" / "a.py").write_text("from assets import b\n")
    (tmp_path / "assets" / "b.py").write_text("def f():\n    from assets.a import g\n")
    (tmp_path / "assets" / "c.py").write_text("import assets.a\n")
    assert cycles(graph(tmp_path)) == [["assets.a", "assets.b"]]
    (tmp_path / "assets" / "b.py").write_text("import schemas\n")
    assert cycles(graph(tmp_path)) == []


@pytest.mark.parametrize("source, expected", [("from . import sibling\n", "assets.ingest.sibling"),
                                              ("from ..storage import put_file\n", "assets.storage.put_file")])
def test_relative_imports_resolve(tmp_path, source, expected):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "assets" / "ingest").mkdir()
    (tmp_path / "assets" / "ingest" / "__init__.py").write_text("")
    (tmp_path / "assets" / "ingest" / "x.py").write_text(source)
    assert expected in {name for module, name, *_ in imports(tmp_path) if module == "assets.ingest.x"}
