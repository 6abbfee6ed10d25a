"""The dialogue stays platform-free with two adapters on it: conversations/ imports nothing from
Slack or Teams (nor from the edges in bot/), directly or through what it imports; render/
and models/ import no platform SDK either."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ("slack_bolt", "slack_sdk", "microsoft_agents", "botbuilder", "aiohttp")


def imported(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (functions too), by its full name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = {name for name in imported(path) if name.split(".")[0] in forbidden}
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_the_scan_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from microsoft_agents.activity import Activity\n")
    assert imported(sample) == {"microsoft_agents.activity"}


def test_conversations_import_no_platform_and_no_edge() -> None:
    assert offenders("conversations", (*PLATFORMS, "bot")) == {}


@pytest.mark.parametrize("package", ["render", "models"])
def test_render_and_models_import_no_platform_sdk(package: str) -> None:
    assert offenders(package, PLATFORMS) == {}


def test_loading_the_dialogue_loads_no_platform() -> None:
    """What a fresh interpreter has loaded after importing every module of conversations/."""
    modules = sorted(
        "conversations." + path.stem
        for path in (ROOT / "conversations").glob("*.py")
        if path.stem != "__init__"
    )
    code = (
        f"import importlib, sys\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(m for m in sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(loaded) > 50 and "conversations.runner" in loaded
    assert [m for m in loaded if m.split(".")[0] in (*PLATFORMS, "bot")] == []
