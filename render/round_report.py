"""A round's status in words: the same lines for the terminal, Slack and Teams.

`service.round_status.RoundReport` is the data; this turns it into the sentences of
`round status` (render/messages/*/rounds.yaml), escaped for the place they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from render.i18n import Target, catalogue


@dataclass(frozen=True)
class StatusLine:
    text: str
    checklist: bool  # a unit's or reporter's line; else a person under it


@dataclass(frozen=True)
class StatusText:
    head: str
    lines: tuple[StatusLine, ...]
    failed: str | None


def _date_apart(report: Any) -> date | None:
    """The round's date, when it says more than its deadline (another day, or none)."""
    day: date | None = report.date
    deadline = report.deadline
    if day is not None and deadline is not None:
        return None if deadline.astimezone(ZoneInfo(report.timezone)).date() == day else day
    return day


def round_status_text(report: Any, language: str, target: Target = Target.PLAIN) -> StatusText:
    """The head line, a line per checklist and per person asked, and who could not be reached."""
    words = catalogue(language, target)
    plain = catalogue(language, Target.PLAIN)
    tz = report.timezone
    head = words.text(
        "round.cli.status_head",
        name=report.name,
        programme=report.programme,
        state=plain.text(f"round.state.{report.status}"),
        date=_date_apart(report),
        imported=report.status == "imported",
        deadline=report.deadline,
        timezone=tz,
        late_answers=report.late_answers,
    )
    lines: list[StatusLine] = []
    for line in report.checklists:
        text = words.text(
            "round.cli.status_line",
            title=line.title,
            answered=line.answered,
            total=line.total,
            submitted_at=line.submitted_at,
            late=line.late,
            last_activity=line.last_activity,
            answered_by=list(line.answered_by),
            timezone=tz,
        )
        lines.append(StatusLine(text, checklist=True))
        for person in line.people:
            text = words.text(
                "round.cli.status_person",
                name=person.name,
                role=plain.text(f"round.role.{person.role}"),
                invitation=plain.text(f"round.invitation.{person.invitation}"),
                reminders=person.reminders,
                away_until=person.away_until,
            )
            lines.append(StatusLine(text, checklist=False))
    failed = (
        words.text("round.cli.status_failed", names=list(report.failed)) if report.failed else None
    )
    return StatusText(head, tuple(lines), failed)
