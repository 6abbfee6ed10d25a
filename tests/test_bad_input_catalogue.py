"""docs/bad-input.md and docs/faults.md cannot drift from the suite.

Each table is read as markdown: enough rows, numbered in order, every test it names
collected by pytest (a parametrized test by its id, or by its name for all its cases),
every message key in both catalogues, and every row marked as a bug pinned by a strict
xfail among its tests.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from conversations.vocabulary import LANGUAGES
from render.i18n import load_raw

ROOT = Path(__file__).parent.parent
DOCS = {
    "bad-input": (ROOT / "docs" / "bad-input.md", 40),
    "faults": (ROOT / "docs" / "faults.md", 10),
}
TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(\[[^`]*\])?`")
KEY = re.compile(r"^`([\w.]+)`$")
BUG = "✗ bug"


@dataclass(frozen=True)
class Row:
    number: int
    cells: list[str]

    @property
    def tests(self) -> list[tuple[str, str, str]]:
        return [(m[1], m[2], m[3] or "") for m in TEST.finditer(self.cells[-1])]


def cells(line: str) -> list[str]:
    """A table line's cells; `\\|` is a pipe inside a cell."""
    parts = re.split(r"(?<!\\)\|", line.strip())
    return [part.strip().replace("\\|", "|") for part in parts[1:-1]]


def rows(path: Path) -> list[Row]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| "):
            continue
        row = cells(line)
        if row and row[0].isdigit():
            found.append(Row(int(row[0]), row))
    return found


@cache
def collected() -> frozenset[str]:
    """The node ids pytest collects from every file the tables name."""
    files = sorted({file for doc, _ in DOCS.values() for r in rows(doc) for file, _, _ in r.tests})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return frozenset(line.strip() for line in result.stdout.splitlines() if "::" in line)


def exists(file: str, name: str, param: str) -> bool:
    base = f"{file}::{name}"
    ids = collected()
    if param:
        return base + param in ids
    return base in ids or any(node.startswith(base + "[") for node in ids)


def pinned(file: str, name: str) -> bool:
    """The test is marked xfail(strict=True)."""
    module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
    marks = getattr(getattr(module, name), "pytestmark", [])
    return any(m.name == "xfail" and m.kwargs.get("strict") is True for m in marks)


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_the_table_is_long_enough_and_numbered_in_order(doc: str) -> None:
    path, least = DOCS[doc]
    found = rows(path)
    assert len(found) >= least, f"{path.name} has {len(found)} rows; it needs {least}"
    assert [r.number for r in found] == list(range(1, len(found) + 1))
    widths = {len(r.cells) for r in found}
    assert len(widths) == 1, f"{path.name}: rows of different widths {widths}"
    assert all(r.tests for r in found), [r.number for r in found if not r.tests]


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_every_test_named_exists(doc: str) -> None:
    missing = [
        f"row {r.number}: {file}::{name}{param}"
        for r in rows(DOCS[doc][0])
        for file, name, param in r.tests
        if not exists(file, name, param)
    ]
    assert missing == []


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_every_bug_is_pinned_by_a_strict_xfail(doc: str) -> None:
    unpinned = [
        r.number
        for r in rows(DOCS[doc][0])
        if BUG in " ".join(r.cells) and not any(pinned(f, n) for f, n, _ in r.tests)
    ]
    assert unpinned == []


def test_every_message_key_is_in_both_catalogues() -> None:
    keys = {lang: set(load_raw(lang)) for lang in LANGUAGES}
    unknown = []
    for r in rows(DOCS["bad-input"][0]):
        match = KEY.match(r.cells[4])
        if r.cells[4] == "—":
            continue
        assert match, f"row {r.number}: the key column holds {r.cells[4]!r}"
        unknown += [
            f"row {r.number}: {lang} {match[1]}" for lang in LANGUAGES if match[1] not in keys[lang]
        ]
    assert unknown == []
