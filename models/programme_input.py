"""What a programme file must be before and around its reading, beyond its fields.

`models.programme_file` reads a programme in passes; these are the guards it calls, each
refusing with one located line (`programme.<problem>`, words in
render/messages/*/input.yaml) rather than hanging, running out of memory or ending in a
traceback:

- the file: a regular file of at most `FILE_BYTES_LIMIT` (a FIFO, `/dev/zero`, a folder
  refused at once: models/files.py), in UTF-8;
- the YAML: mappings and lists nested at most `NESTING_LIMIT` deep (the format needs 6),
  checked as it is composed (PyYAML composes recursively, so a file nested thousands deep
  was a RecursionError);
- every text: normalised as the chat's text is (`conversations.text`), a lone surrogate
  (YAML's "\\ud800" escape) refused naming the field;
- the whole: no checklist longer than `CHECKLIST_ITEMS_LIMIT` items, so its review fits
  in a Slack message (Slack's 50 blocks); the item past the limit is named.

docs/programme-format.md ("Limits") tells the people who write the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import yaml

from conversations.errors import UserError
from conversations.limits import (
    CHECKLIST_ITEMS_LIMIT,
    FILE_BYTES_LIMIT,
    NESTING_LIMIT,
    SLACK_BLOCKS_LIMIT,
)
from conversations.text import UnreadableText, clean, shown
from models.files import FileTooLarge, NotARegularFile, read_regular_file
from models.programme_spec import Loc, ProgrammeSpec, field_name, line_of

__all__ = ["check_size", "clean_text", "compose", "read_programme_text"]

FILE_LIMIT_TEXT: Final = f"{FILE_BYTES_LIMIT // (1024 * 1024)} MB"


def read_programme_text(path: Path) -> tuple[str, str]:
    """The file's name as messages give it, and its text."""
    name, where = shown(path.name, 255), shown(str(path), 255)
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        raise UserError("programme.not_found", file=where) from None
    except NotARegularFile:
        raise UserError("programme.not_regular", file=where) from None
    except FileTooLarge:
        raise UserError("programme.file_too_large", file=name, limit=FILE_LIMIT_TEXT) from None
    except OSError:
        raise UserError("programme.cannot_read", file=where) from None
    try:
        return name, data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("programme.not_text", file=name) from None


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a mapping or list inside more than `NESTING_LIMIT`
    others before it recurses into it."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        nests = int(self.check_event(yaml.MappingStartEvent, yaml.SequenceStartEvent))
        self.depth += nests
        try:
            if self.depth > NESTING_LIMIT:
                line = self.peek_event().start_mark.line  # type: ignore[no-untyped-call]
                raise _TooDeep(int(line) + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= nests


def compose(text: str, name: str) -> yaml.Node | None:
    """`yaml.compose` with the safe loader, nesting refused past `NESTING_LIMIT`
    (`programme.too_deep`); YAML's own errors pass through to the caller."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except _TooDeep as deep:
        raise UserError(
            "programme.too_deep", file=name, line=deep.line, limit=NESTING_LIMIT
        ) from None
    finally:
        loader.dispose()


def clean_text(value: object, name: str, line: int, loc: Loc) -> object:
    """A scalar's text normalised (`conversations.text`); anything else as it is."""
    if not isinstance(value, str):
        return value
    try:
        return clean(value)
    except UnreadableText:
        raise UserError("programme.bad_text", file=name, line=line, field=field_name(loc)) from None


def check_size(spec: ProgrammeSpec, name: str, lines: Mapping[Loc, int]) -> None:
    """Every checklist within `CHECKLIST_ITEMS_LIMIT` items: a unit's holds every milestone
    (those a reporter answers, read-only) and the unit's own items."""
    milestones: list[Loc] = [
        ("groups", i, "milestones", j)
        for i, group in enumerate(spec.groups)
        for j in range(len(group.milestones))
    ]
    past: Loc | None = None
    count = len(milestones)
    if count > CHECKLIST_ITEMS_LIMIT:
        past = milestones[CHECKLIST_ITEMS_LIMIT]
    else:
        for i, unit in enumerate(spec.units):
            if count + len(unit.local_items) > CHECKLIST_ITEMS_LIMIT:
                past = ("units", i, "local_items", CHECKLIST_ITEMS_LIMIT - count)
                count += len(unit.local_items)
                break
    if past is not None:
        raise UserError(
            "programme.too_many_items",
            file=name,
            line=line_of(lines, past),
            field=field_name(past),
            count=count,
            limit=CHECKLIST_ITEMS_LIMIT,
            blocks=SLACK_BLOCKS_LIMIT,
        )
