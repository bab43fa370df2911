"""The package's plan: no import cycle, drivers go through the session layer, and the unit
tests mirror the package's folders."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "hfs_detect"
TESTS = Path(__file__).resolve().parent

DRIVERS = ("cli", "batch", "report", "live", "review")
"""Modules and folders that drive an analysis: they use the session layer and the shared
vocabulary, never a stage."""
STAGES = (
    "detector",
    "rest",
    "signals",
    "landmarks.engines",
    "landmarks.litert",
    "landmarks.mediapipe_tasks",
    "landmarks.follow",
    "landmarks.track",
    "landmarks.sources",
    "landmarks.model_file",
)
"""The stages' modules a driver may not import."""


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name under ``hfs_detect`` (a package by
    its folder's name)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    package = name.split(".") if is_package else name.split(".")[:-1]
    package = [p for p in package if p]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = [*base, *(node.module.split(".") if node.module else [])]
            for alias in node.names:  # `from . import x` may name a module
                candidate = ".".join([*target, alias.name])
                found.add(candidate if candidate in modules else ".".join(target))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for full in names:
                if full and full.startswith("hfs_detect."):
                    found.add(full.removeprefix("hfs_detect."))
    return {m for m in found if m in modules and m != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_no_module_imports_itself_back_through_others(graph):
    """No import cycle anywhere, imports inside functions included. A package's
    ``__init__`` may gather its own modules; those modules must not import it back."""
    cycles = []

    def visit(node: str, stack: list[str], done: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in stack:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in done:
                visit(nxt, [*stack, nxt], done)
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start], done)
    assert not cycles, "import cycles:\n" + "\n".join(sorted(set(cycles)))


def test_drivers_use_the_session_layer_not_the_stages(graph):
    def is_driver(name: str) -> bool:
        return name.split(".")[0] in DRIVERS

    reaching = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if is_driver(name)
        for target in targets
        if target in STAGES
    )
    assert not reaching, "\n".join(reaching)


def test_the_unit_tests_mirror_the_package():
    """Every module has its unit-test file, in the folder its module is in."""
    missing = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.name.startswith("_") or relative.parts[0] in ("protocols",):
            continue
        expected = TESTS.joinpath(*relative.parts[:-1], f"test_{relative.stem}.py")
        if not expected.is_file():
            missing.append(str(expected.relative_to(TESTS)))
    assert not missing, "no unit tests for: " + ", ".join(sorted(missing))


def test_only_the_session_layer_reads_summary_json_by_key():
    """Every other module uses the typed summary (``summary.statistics.verdict``), so a key
    renamed in summary.json is renamed in one place."""
    import re

    by_key = re.compile(r"summary\s*\[|summary\.get\(|summary_json\[")
    found = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] != "session"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if by_key.search(line)
    ]
    assert not found, ", ".join(found)
