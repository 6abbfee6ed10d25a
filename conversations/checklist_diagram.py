"""The checklist's table drawn as a Mermaid state diagram (`checklist.mmd` beside this file).

Drawn from the table, never by hand, so the picture cannot drift from the dialogue:
tests/test_checklist_table.py compares the file with `to_mermaid(TRANSITIONS)` and plays
every drawn edge through `step`. To redraw it:

    python -m conversations.checklist_diagram > conversations/checklist.mmd

An edge is labelled with the events that take it (their wire names, as a button sends
them). Fallbacks, taken in every phase after its own row, leave from "any phase".
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.checklist import TRANSITIONS, Table
from conversations.events import Event
from conversations.state import Phase

ANY = "any_phase"
HEADER = (
    "%% The checklist dialogue's phases (conversations/state.py) and the events that move them,",
    "%% drawn from TRANSITIONS in conversations/checklist.py; redraw, do not edit:",
    "%%     python -m conversations.checklist_diagram > conversations/checklist.mmd",
    "stateDiagram-v2",
)
NOTES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        ANY,
        (
            "A phase's own events come first, then these.",
            "An event neither takes is refused with the current view.",
            "A closed round takes nothing.",
        ),
    ),
    (
        Phase.ASKING.value,
        (
            "An event from an older view: a repeat of the last one is ignored,",
            "a value for the milestone being asked is applied,",
            'anything else is refused with "this question has moved on".',
        ),
    ),
)


@dataclass(frozen=True)
class Edge:
    """One event taking one phase to another, as drawn."""

    source: Phase | None
    """None: any phase (a fallback)."""
    target: Phase | None
    """None: it stays in whichever phase it came from."""
    event: type[Event]


def edges(table: Table) -> list[Edge]:
    """Every edge of the table, phase by phase in the order `Phase` declares, then fallbacks."""
    found: list[Edge] = []
    for phase in Phase:
        for event, transition in table.phases[phase].items():
            found += [Edge(phase, target, event) for target in transition.to or (phase,)]
    for event, transition in table.fallbacks.items():
        found += [Edge(None, target, event) for target in transition.to or (None,)]
    return found


def _name(phase: Phase | None) -> str:
    return ANY if phase is None else phase.value


def to_mermaid(table: Table) -> str:
    """The table as a stateDiagram-v2, one line per pair of phases an event joins."""
    labels: dict[tuple[str, str], list[str]] = {}
    for edge in edges(table):
        to = edge.target if edge.target is not None else edge.source
        labels.setdefault((_name(edge.source), _name(to)), []).append(edge.event.name)
    lines = [*HEADER, f"    [*] --> {table.entry.value}"]
    if table.fallbacks:
        lines.append(f'    state "any phase" as {ANY}')
    for (source, target), names in labels.items():
        lines.append(f"    {source} --> {target} : {' / '.join(dict.fromkeys(names))}")
    for state, words in NOTES:
        if state != ANY or table.fallbacks:
            lines += [
                f"    note right of {state}",
                *(f"        {w}" for w in words),
                "    end note",
            ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(to_mermaid(TRANSITIONS), end="")
