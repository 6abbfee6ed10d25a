"""The programmes Fremdrift ships, as YAML files beside this module.

A shipped programme is named by its key (`kol-2018`), so an installed wheel can load one
from any folder; a path to a file of one's own works everywhere a key does.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def shipped() -> tuple[str, ...]:
    """The keys of the programmes that ship, in name order."""
    return tuple(sorted(path.stem for path in FOLDER.glob("*.yaml")))


def shipped_file(key: str) -> Path | None:
    """The shipped programme file with this key, or None."""
    path = FOLDER / f"{key}.yaml"
    return path if key in shipped() else None


def programme_file(name: str | Path) -> Path:
    """A path as given, or, when no such file exists and the name is a shipped key, its file."""
    path = Path(name)
    if not path.exists() and (found := shipped_file(str(name))) is not None:
        return found
    return path
