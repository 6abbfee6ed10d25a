"""Programme files: read and validate a programme's YAML file, then write it to the database.

A programme is data an admin edits by hand, so a mistake must come back as one sentence
that names the file, the line and the field, and a bad file must change nothing. The file
is read in three passes — YAML nodes (which know their lines), pydantic models (shape and
field formats, models/programme_spec.py), cross references (people, units, codes) — and
only a file that passes all three is written (models/programme_store.py): in one
transaction, row by row on natural keys, so rounds and answers stay attached.

Every problem is a `UserError("programme.<problem>", file=…, line=…, field=…, …)`; of
several, the first in file order is reported (a missing field only when nothing else is
wrong). Lines are 1-based; `field` is a path such as `groups[5].milestones[2].deadline`
with 0-based list indices. The format is described in docs/programme-format.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, get_args

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from conversations.errors import UserError
from conversations.questions import NEEDS_PROGRESS, Question
from models.programme_input import check_size, clean_text, compose, read_programme_text
from models.programme_spec import (
    Loc,
    ProgrammeFile,
    ProgrammeSettings,
    ProgrammeSpec,
    codes,
    field_name,
    line_of,
)
from models.programme_store import LoadSummary, Tally, save_programme
from models.programme_view import ProgrammeRow, ProgrammeView, list_programmes, programme_overview

__all__ = [
    "LoadSummary",
    "ProgrammeFile",
    "ProgrammeRow",
    "ProgrammeSettings",
    "ProgrammeSpec",
    "ProgrammeView",
    "Tally",
    "list_programmes",
    "load_programme_file",
    "parse_programme",
    "programme_overview",
    "read_programme_file",
    "save_programme",
]

MAX_NODES: Final = 100_000
"""More YAML nodes than a programme can need: a guard against alias bombs."""


# ---------------------------------------------------------------------------------------
# Reading: text -> YAML nodes -> plain data, with the line of every value.

_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS: Final = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}


def _scalar(node: yaml.ScalarNode) -> object:
    """A plain scalar is null, true/false or text; nothing else is guessed.

    YAML 1.1 would read `18:00` as 1080, `1.10` as 1.1, `no` as false and `2019-09-01` as
    a date; here they stay as written and each field decides what it accepts.
    """
    if node.style is not None:
        return node.value
    if node.value in _NULLS:
        return None
    return _BOOLS.get(node.value, node.value)


@dataclass
class _Builder:
    """Turns a node tree into dicts, lists and scalars, noting each value's line."""

    name: str
    lines: dict[Loc, int] = field(default_factory=dict)
    count: int = 0

    def build(self, node: yaml.Node, loc: Loc, active: frozenset[int]) -> object:
        self.count += 1
        if self.count > MAX_NODES or id(node) in active:
            raise UserError("programme.too_complex", file=self.name, line=_mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, active | {id(node)})
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[(*loc, index)] = _mark(item)
                items.append(self.build(item, (*loc, index), active | {id(node)}))
            return items
        assert isinstance(node, yaml.ScalarNode)
        return clean_text(_scalar(node), self.name, _mark(node), loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc, active: frozenset[int]) -> object:
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise UserError(
                    "programme.complex_key",
                    file=self.name,
                    line=_mark(key_node),
                    field=field_name(loc),
                )
            key = str(clean_text(key_node.value, self.name, _mark(key_node), loc))
            if key in out:
                raise UserError(
                    "programme.duplicate_key",
                    file=self.name,
                    line=_mark(key_node),
                    field=field_name((*loc, key)),
                    first_line=self.lines[(*loc, key)],
                )
            self.lines[(*loc, key)] = _mark(key_node)
            out[key] = self.build(value_node, (*loc, key), active)
        return out


def _mark(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _compose(text: str, name: str) -> yaml.Node | None:
    """The YAML node tree, or the syntax error as a located message."""
    try:
        return compose(text, name)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or ""
        raise UserError("programme.yaml_syntax", file=name, line=line, problem=problem) from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise UserError(
            "programme.yaml_syntax", file=name, line=line, problem=error.reason
        ) from None


def _document(text: str, name: str) -> tuple[dict[str, object], dict[Loc, int]]:
    root = _compose(text, name)
    if root is None:
        raise UserError("programme.empty", file=name)
    if not isinstance(root, yaml.MappingNode):
        raise UserError("programme.not_mapping", file=name, line=_mark(root))
    builder = _Builder(name, {(): _mark(root)})
    data = builder.build(root, (), frozenset())
    assert isinstance(data, dict)
    return data, builder.lines


# ---------------------------------------------------------------------------------------
# Problems as messages.


def _kind(value: object) -> str:
    """What a value is, as the catalogue names kinds (text, number, yes_no, list, mapping)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes_no"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "text"


_EXPECTED: Final = {
    "string_type": "text",
    "int_type": "number",
    "int_parsing": "number",
    "int_from_float": "number",
    "bool_type": "yes_no",
    "bool_parsing": "yes_no",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
}


def _nested_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _nested_model(argument)
        if found is not None:
            return found
    return None


def _fields_at(loc: Loc) -> list[str]:
    """The fields the model at `loc` allows, for a "did you mean" on an unknown field."""
    model: type[BaseModel] = ProgrammeSpec
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        nested = _nested_model(info.annotation) if info is not None else None
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def _from_pydantic(error: ErrorDetails, name: str, lines: Mapping[Loc, int]) -> UserError:
    """One pydantic error as the message a person reads."""
    loc: Loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
    kind, context, found = error["type"], dict(error.get("ctx") or {}), error["input"]
    where = {"file": name, "line": line_of(lines, loc), "field": field_name(loc)}
    if kind.startswith("programme."):
        return UserError(kind, **where, **context)
    if kind == "missing":
        return UserError("programme.missing_field", **where)
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _fields_at(loc[:-1]), n=1)
        return UserError("programme.unknown_field", **where, suggestion=close[0] if close else "")
    if kind in _EXPECTED and found is None:
        return UserError("programme.empty_value", **where)
    if kind in _EXPECTED:
        return UserError(
            "programme.wrong_type", **where, expected=_EXPECTED[kind], found=_kind(found)
        )
    if kind == "string_too_short":
        return UserError("programme.empty_value", **where)
    if kind in ("string_too_long", "too_long"):
        return UserError("programme.too_long", **where, limit=context["max_length"])
    if kind == "too_short":
        return UserError("programme.empty_list", **where)
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = context.get("ge", context.get("le"))
        key = "programme.too_small" if kind == "greater_than_equal" else "programme.too_large"
        return UserError(key, **where, text=str(found), limit=limit)
    return UserError("programme.invalid_value", **where, text=str(found))


# ---------------------------------------------------------------------------------------
# Cross references: what pydantic cannot see field by field.


@dataclass
class _References:
    """Collects every reference problem with its line, so the first in the file wins."""

    name: str
    lines: Mapping[Loc, int]
    found: list[tuple[int, UserError]] = field(default_factory=list)

    def add(self, key: str, loc: Loc, **params: object) -> None:
        line = line_of(self.lines, loc)
        error = UserError(key, file=self.name, line=line, field=field_name(loc), **params)
        self.found.append((line, error))

    def unique(self, key: str, entries: Iterator[tuple[str, Loc]], param: str) -> None:
        """Report each value seen earlier in the file, naming the line it was first seen on."""
        first: dict[str, Loc] = {}
        for value, loc in sorted(entries, key=lambda entry: line_of(self.lines, entry[1])):
            if value in first:
                self.add(
                    key, loc, **{param: value, "first_line": line_of(self.lines, first[value])}
                )
            else:
                first[value] = loc

    def known(self, key: str, value: str, loc: Loc, names: Mapping[str, object]) -> None:
        if value not in names:
            self.add(key, loc, text=value)


def _check_references(spec: ProgrammeSpec, name: str, lines: Mapping[Loc, int]) -> None:
    """Raise the first reference problem in file order, if any."""
    refs = _References(name, lines)
    people = {person.key: person for person in spec.people}
    units = {unit.key: unit for unit in spec.units}
    refs.unique(
        "programme.duplicate_person",
        ((p.key, ("people", i, "key")) for i, p in enumerate(spec.people)),
        "person",
    )
    refs.unique(
        "programme.duplicate_slack",
        ((p.slack, ("people", i, "slack")) for i, p in enumerate(spec.people) if p.slack),
        "slack",
    )
    _check_person_list(refs, people, spec.admins, ("admins",))
    refs.unique(
        "programme.duplicate_unit",
        ((u.key, ("units", i, "key")) for i, u in enumerate(spec.units)),
        "unit",
    )
    for i, unit in enumerate(spec.units):
        _check_person_list(refs, people, unit.leads, ("units", i, "leads"))
        _check_person_list(refs, people, unit.deputies, ("units", i, "deputies"))
    refs.unique(
        "programme.duplicate_group",
        ((g.number, ("groups", i, "number")) for i, g in enumerate(spec.groups)),
        "number",
    )
    refs.unique("programme.duplicate_code", codes(spec), "code")
    refs.unique(
        "programme.duplicate_entry",
        ((m.name, ("meetings", i, "name")) for i, m in enumerate(spec.meetings)),
        "text",
    )
    _check_form(refs, spec)
    for i, group in enumerate(spec.groups):
        for j, milestone in enumerate(group.milestones):
            loc: Loc = ("groups", i, "milestones", j)
            several = isinstance(milestone.reporter, list)
            for n, reporter in enumerate(milestone.reporters):
                where: Loc = (*loc, "reporter", n) if several else (*loc, "reporter")
                refs.known("programme.unknown_person", reporter, where, people)
            for unit_key in milestone.deadlines:
                refs.known("programme.unknown_unit", unit_key, (*loc, "deadlines", unit_key), units)
    if refs.found:
        raise min(refs.found, key=lambda found: found[0])[1]


def _check_form(refs: _References, spec: ProgrammeSpec) -> None:
    """Questions asked once each, a delay only with progress; items carry declared texts."""
    asked = [question.ask for question in spec.questions]
    refs.unique(
        "programme.duplicate_entry",
        ((q, ("questions", i, "ask")) for i, q in enumerate(asked)),
        "text",
    )
    for i, question in enumerate(asked):
        if question in NEEDS_PROGRESS and Question.PROGRESS not in asked:
            refs.add("programme.needs_progress", ("questions", i, "ask"), text=question)
    refs.unique(
        "programme.duplicate_entry",
        ((t.key, ("texts", i, "key")) for i, t in enumerate(spec.texts)),
        "text",
    )
    declared = {text.key: text for text in spec.texts}
    items: list[tuple[Loc, Mapping[str, str]]] = [
        (("groups", i, "milestones", j, "texts"), milestone.texts)
        for i, group in enumerate(spec.groups)
        for j, milestone in enumerate(group.milestones)
    ]
    items += [
        (("units", i, "local_items", j, "texts"), item.texts)
        for i, unit in enumerate(spec.units)
        for j, item in enumerate(unit.local_items)
    ]
    for loc, texts in items:
        for key in texts:
            refs.known("programme.unknown_text", key, (*loc, key), declared)


def _check_person_list(
    refs: _References, people: Mapping[str, object], keys: list[str], loc: Loc
) -> None:
    for index, key in enumerate(keys):
        refs.known("programme.unknown_person", key, (*loc, index), people)
    refs.unique("programme.duplicate_entry", ((k, (*loc, i)) for i, k in enumerate(keys)), "text")


def _order(problem: UserError) -> tuple[bool, int]:
    """File order, but a missing field last: it sits on its parent's line, often line 1, and a
    misspelt field ("titel") explains it better."""
    return problem.key == "programme.missing_field", int(str(problem.params["line"]))


def parse_programme(text: str, name: str, path: str = "") -> ProgrammeFile:
    """Validate a programme file's text; raise the first problem as a located UserError."""
    data, lines = _document(text, name)
    try:
        spec = ProgrammeSpec.model_validate(data)
    except ValidationError as invalid:
        problems = [_from_pydantic(error, name, lines) for error in invalid.errors()]
        raise min(problems, key=_order) from None
    _check_references(spec, name, lines)
    check_size(spec, name, lines)
    return ProgrammeFile(spec, name, path, lines)


def read_programme_file(path: Path) -> ProgrammeFile:
    """Read and validate a programme file from disk; nothing is written anywhere.

    Only a regular file within the size limit is read (models/programme_input.py)."""
    name, text = read_programme_text(path)
    return parse_programme(text, name, str(path.resolve()))


async def load_programme_file(path: Path) -> LoadSummary:
    """Read, validate and write a programme file: the whole of `fremdrift programme load`."""
    return await save_programme(read_programme_file(path))
