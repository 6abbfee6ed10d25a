"""The layout holds: packages depend downwards only, no cycles, no module too long.

The picture (README, "How to develop") as data: each top-level package names the ones it
may import. Imports are read with `ast`, including those inside functions and under
`TYPE_CHECKING`, so a circle cannot hide in a function body.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ALLOWED: dict[str, frozenset[str]] = {
    "conversations": frozenset(),
    "reporting": frozenset({"conversations"}),
    "models": frozenset({"conversations", "reporting"}),
    "render": frozenset({"conversations", "reporting"}),
    "service": frozenset({"conversations", "reporting", "models", "render"}),
    "standins": frozenset(),
    "programmes": frozenset(),
    "bot": frozenset(
        {"conversations", "reporting", "models", "render", "service", "standins", "programmes"}
    ),
}
"""What each of our packages may import, besides the standard library and third parties."""

PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp")
"""No package below `bot/` speaks to a chat platform or serves HTTP itself."""

THIRD_PARTY: dict[str, frozenset[str]] = {
    "conversations": frozenset(),  # the standard library only
}

MAX_LINES = 450
OURS = frozenset(ALLOWED) | {"tests", "benchmarks"}


def _modules(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


def _imports(path: Path) -> set[str]:
    """Every absolute module name the file imports, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {package: set() for package in ALLOWED}
    for package in ALLOWED:
        for path in _modules(package):
            for name in _imports(path):
                top = name.split(".")[0]
                if top in OURS and top != package:
                    graph[package].add(top)
    return graph


def test_every_top_level_package_is_in_the_picture() -> None:
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks"}
    }
    assert packages == set(ALLOWED), "a package is missing from ALLOWED, or one is gone"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_go_downwards_only(package: str) -> None:
    wrong = []
    for path in _modules(package):
        for name in sorted(_imports(path)):
            top = name.split(".")[0]
            if top in OURS and top != package and top not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", ["conversations", "reporting", "models", "render", "service"])
def test_no_platform_sdk_below_the_edges(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in sorted(_imports(path))
        if name.split(".")[0] in PLATFORM_SDKS
    ]
    assert not wrong, "\n".join(wrong)


def test_conversations_uses_the_standard_library_only() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules("conversations")
        for name in sorted(_imports(path))
        if name.split(".")[0] not in stdlib and name.split(".")[0] != "conversations"
    ]
    assert not wrong, "\n".join(wrong)


def test_no_cycle_between_packages() -> None:
    graph = _package_graph()
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[str] = []

    def visit(node: str) -> None:
        if node in done:
            return
        if node in visiting:
            cycles.append(" → ".join([*visiting[visiting.index(node) :], node]))
            return
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            visit(target)
        visiting.pop()
        done.add(node)

    for package in sorted(graph):
        visit(package)
    assert not cycles, "\n".join(cycles)


def test_no_module_is_too_long() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for package in ALLOWED
        for path in _modules(package)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "\n".join(long)


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    """The reader itself: an import inside a function, under TYPE_CHECKING, is found."""
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from render.i18n import catalogue\n"
        "def f():\n    import bot.settings\n",
        encoding="utf-8",
    )
    assert {"render.i18n", "bot.settings", "typing"} <= _imports(module)


def test_loading_the_core_loads_no_platform() -> None:
    """What a fresh interpreter has loaded after importing every module below `bot/`.

    The static check above reads source; this one runs it, so an SDK pulled in through a
    third-party package we import is caught too.
    """
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in ("conversations", "reporting", "models", "render", "service")
        for path in _modules(package)
    )
    code = (
        f"import importlib, sys\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "service.runner" in loaded and "reporting.matrix" in loaded
    assert [m for m in loaded if m.split(".")[0] in (*PLATFORM_SDKS, "bot", "standins")] == []
