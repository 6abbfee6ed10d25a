"""Neutral views as Adaptive Cards for Microsoft Teams, through render/templates/teams/.

The same views Slack draws as Block Kit (conversations/views.py) drawn as Adaptive Cards
1.5, with words from the one catalogue (render/i18n.py). The templates write JSON; every
value goes through `|json`. `t()` gives a sentence of the `Target.TEAMS` catalogue, its data
escaped for card markdown (so a remark cannot forge a link or bold), `tp()` one of
`Target.TEAMS_PLAIN` for button titles, labels and the summary Teams shows in notifications.
Both read Teams' wording where it has one (`teams.override.<key>`, render/messages/*/teams.yaml).

Buttons are `Action.Submit` whose data carries the dialogue's wire form
(conversations/events.py) under "fd"; typed text travels in the card's inputs, never in
the wire. Every card stays under Teams' 28 KB message limit by construction: a review too
long for one card is drawn compact (codes and dots, a code field instead of a list), and the
published matrix is cut into as many cards as it needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment

from conversations.checklist import FORECAST_LIMIT, REMARK_LIMIT
from conversations.questions import TEXT_LIMITS
from conversations.views import ReviewRow, ReviewView, View
from conversations.vocabulary import Colour, Delay, Progress
from render.highlights import LIST_LIMIT, changes, critical_units, tally, unreported_units
from render.i18n import Catalogue, Target, card_escape, catalogue, format_day
from render.nouns import Nouns, nouns_of
from render.round_report import StatusLine, round_status_text
from render.slipping import slips
from render.table_post import teams_post
from render.templating import clip, drop_nulls, json_environment
from render.view_common import (
    label_of,
    said_of,
    start_of,
    status_of,
    summary_of,
    titled,
    wire_of,
    worded,
)
from reporting.comparison import Comparison
from reporting.exports import is_table
from reporting.matrix import Matrix
from reporting.trend import CellTrend

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_LIMIT = 28 * 1024
"""Teams refuses a bot message larger than this (413, MessageSizeTooBig)."""
CARD_BUDGET = 24 * 1024
"""What a card may take, leaving room for the activity around it."""
EMOJI = {
    Colour.GREEN: "🟢",
    Colour.YELLOW: "🟡",
    Colour.RED: "🔴",
    Colour.NONE: "⚪",
    Colour.NOT_REPORTED: "❔",
}


@dataclass(frozen=True)
class TeamsMessage:
    """What one Teams message shows: a card (with its notification summary) or plain text."""

    summary: str
    card: dict[str, Any] | None = None
    text: str | None = None

    def activity(self) -> dict[str, Any]:
        """The message as Bot Framework activity fields (for `Activity.model_validate`)."""
        if self.card is None:
            return {"type": "message", "text": self.text or self.summary, "textFormat": "markdown"}
        return {
            "type": "message",
            "summary": self.summary,
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": self.card}],
        }

    def size(self) -> int:
        return len(json.dumps(self.activity(), ensure_ascii=False).encode("utf-8"))


# --- words and templates -----------------------------------------------------------------------


def words(language: str | None) -> Catalogue:
    """The catalogue for card markdown: Teams' wording, data escaped."""
    return catalogue(language, Target.TEAMS)


def plain(language: str | None) -> Catalogue:
    """The catalogue for plain card text (titles, labels, notification summaries)."""
    return catalogue(language, Target.TEAMS_PLAIN)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return json_environment(md=card_escape)


def _nouned(say: Callable[..., str], nouns: Nouns) -> Callable[..., str]:
    """`say` (a catalogue's `text`) in the programme's own nouns (render/nouns.py)."""

    def said(key: str, /, **params: object) -> str:
        return say(key, **{"noun": nouns, **params})

    return said


def _render(template_name: str, language: str, **data: Any) -> TeamsMessage:
    said = {"t": words(language).text, "tp": plain(language).text, **data}  # a view's own too
    source = _environment().get_template(f"teams/{template_name}").render(**said)
    rendered = drop_nulls(json.loads(source))
    return TeamsMessage(summary=rendered["summary"], card=rendered["card"])


REVIEW_DETAIL_LIMITS = (300, 80, 0)
"""How much of each forecast and remark a review line shows: the most that keeps the card
within its budget (0: none); a review too long even so is drawn compact."""


def _review_lines(
    language: str, detail: int
) -> Callable[[ReviewView, bool], Iterator[tuple[str, list[str]]]]:
    """The review as (group title, lines): a line per milestone, with its answer's forecast
    and remark (and other typed answers) cut to `detail` characters, or compact, codes only."""

    def line(row: ReviewRow, compact: bool, view: ReviewView) -> str:
        say = worded(words(language).text, view)
        light = view.header.light
        dot = EMOJI[row.answer.colour] if row.answer and light else EMOJI[Colour.NONE]
        if compact:
            return f"{dot} {card_escape(row.code)}" if light else card_escape(row.code)
        if row.answer is None:
            state = f"_{say('view.review.no_answer')}_"
        elif not light:
            dot, state = "", card_escape(summary_of(view)(row.answer))
        else:
            state = card_escape(status_of(view)(row.answer))
        extra = f" ({say('view.review.read_only', reporter=row.reporter)})" if row.read_only else ""
        mark = f"{dot} " if dot else ""
        head = (
            f"**{card_escape(row.code)}** {card_escape(clip(row.title, 90))} — {mark}{state}{extra}"
        )
        said = said_of(view)(row.answer, detail) if row.answer is not None else []
        if not said:
            return head
        details = " · ".join(
            say("view.milestone.labelled", label=label, text=" ".join(text.split()))
            for label, text in said
        )
        return f"{head}  \n{details}"  # a line break in card markdown

    def lines(view: ReviewView, compact: bool) -> Iterator[tuple[str, list[str]]]:
        group: str | None = None
        current: list[str] = []
        for row in view.rows:
            if row.group_title != group:
                if current:
                    yield group or "", ["   ".join(current)] if compact else current
                group, current = row.group_title, []
            current.append(line(row, compact, view))
        if current:
            yield group or "", ["   ".join(current)] if compact else current

    return lines


def _edit_choices(view: ReviewView) -> list[tuple[str, str]]:
    return [(row.code, f"{row.code} {row.title}") for row in view.rows if not row.read_only]


def render_view(view: View) -> TeamsMessage:
    """A neutral view as a card. A review shows as much of each forecast and remark as keeps
    it within one card (`REVIEW_DETAIL_LIMITS`); too long even without, it is drawn compact."""
    view = titled(view)
    language = view.header.language
    data = {
        "view": view,
        "choices": {choice.value for choice in getattr(view, "choices", ())},
        "progresses": [p.value for p in Progress],
        "delays": [d.value for d in Delay],
        "wire": wire_of(view),
        "start_of": start_of(view),
        "emoji": lambda colour: EMOJI[Colour(colour)],
        "status": status_of(view),
        "edit_choices": _edit_choices,
        "forecast_limit": FORECAST_LIMIT,
        "remark_limit": REMARK_LIMIT,
        "limits": {question.value: limit for question, limit in TEXT_LIMITS.items()},
        "label": label_of(view),
        "summary": summary_of(view),
        "said": said_of(view),
        "t": worded(words(language).text, view),
        "tp": worded(plain(language).text, view),
    }
    template = f"views/{view.kind}.json.j2"
    for detail in REVIEW_DETAIL_LIMITS if view.kind == "review" else (0,):
        lines = _review_lines(language, detail)
        message = _render(template, language, compact=False, review_lines=lines, **data)
        if view.kind != "review" or message.size() <= CARD_BUDGET:
            return message
    return _render(template, language, compact=True, review_lines=lines, **data)


def render_notice(
    key: str,
    params: Mapping[str, object],
    *,
    language: str,
    resume: str | None = None,
    snooze: str | None = None,
) -> TeamsMessage:
    """A reminder or a note, with a resume (and snooze) button when it is about a checklist."""
    return _render(
        "views/notice.json.j2",
        language,
        key=key,
        params=dict(params),
        resume=resume,
        snooze=snooze,
    )


def render_command_reply(reply: Any) -> TeamsMessage:
    """A command's reply (service.commands.CommandReply): a sentence and resumable checklists."""
    return _render("views/command_reply.json.j2", reply.language, reply=reply)


def render_text(language: str | None, key: str, /, **params: object) -> TeamsMessage:
    """A sentence as a plain message (refusals, notes after a click)."""
    summary = plain(language).text(key, **params)
    return TeamsMessage(summary=summary, text=words(language).text(key, **params))


def render_status(report: Any, language: str) -> TeamsMessage:
    """A round's status (service.round_status.RoundReport) in the words of `round status`."""
    said = round_status_text(report, language, Target.PLAIN)
    lines = [StatusLine(card_escape(line.text), line.checklist) for line in said.lines]
    shown = len(lines)
    while True:
        message = _render(
            "views/status.json.j2",
            language,
            head=card_escape(said.head),
            head_plain=said.head,
            lines=lines[:shown],
            more=shown < len(lines),
            failed=card_escape(said.failed) if said.failed else "",
        )
        if message.size() <= CARD_BUDGET or shown == 0:
            return message
        shown = max(0, shown - max(1, shown // 5))


# --- the publication ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _GridGroup:
    title: str
    lines: tuple[str, ...]


def _cost(text: str) -> int:
    """A TextBlock's bytes in a card: its text and the JSON around it."""
    return len(text.encode("utf-8")) + 80


def publication_messages(
    matrix: Matrix,
    comparison: Comparison,
    *,
    published: datetime | None,
    links: list[tuple[str, str]],
    slipping: tuple[CellTrend, ...] = (),
    history_url: str | None = None,
) -> list[TeamsMessage]:
    """The summary card, the matrix in as many cards as it needs, and the documents' links.

    `links` are (title, url) of the documents, in the order the summary names them; with
    none, the summary does not promise documents. `slipping` are the cells whose forecast
    slipped round after round (render/slipping.py); `history_url` the history page's link.
    """
    language = matrix.language
    moment = published or datetime.now(UTC)
    if is_table(matrix):  # seed 004's layout: the items, no colours (render/table_post.py)
        posted = teams_post(matrix, comparison, published=moment, with_files=bool(links))
        cards = [TeamsMessage(summary=summary, card=card) for summary, card in posted]
        return cards + _documents(matrix, links)
    counts = tally(matrix)
    said = plain(language)
    nouns = nouns_of(matrix.programme)
    critical = critical_units(matrix)
    missing = list(comparison.missing[: LIST_LIMIT * 4])
    unreported = unreported_units(matrix, comparison)
    shown = max(len(critical), len(missing), len(unreported))
    slipped, slipped_more = slips(slipping, matrix.unit_name)
    while True:  # a programme of many units is cut until its summary fits one card
        summary = _render(
            "publication/summary.json.j2",
            language,
            t=_nouned(words(language).text, nouns),
            tp=_nouned(said.text, nouns),
            summary=said.text(
                "publication.fallback",
                title=matrix.programme.title,
                round=matrix.round.name,
                **counts,
            ),
            round=matrix.round,
            programme=matrix.programme,
            date=format_day(moment.date(), language),
            counts=counts,
            critical=critical[:shown],
            critical_more=max(0, len(critical) - shown),
            comparison=comparison,
            changes=changes(comparison),
            missing=missing[:shown],
            missing_more=max(0, len(comparison.missing) - min(shown, len(missing))),
            not_reported=unreported[:shown],
            not_reported_more=max(0, len(unreported) - shown),
            unit_name=matrix.unit_name,
            emoji={colour.value: dot for colour, dot in EMOJI.items()},
            with_files=bool(links),
            slipping=slipped,
            slipping_more=slipped_more,
            history_url=history_url,
        )
        if summary.size() <= CARD_BUDGET or shown == 0:
            break
        shown //= 2
    return [summary, *grid_messages(matrix), *_documents(matrix, links)]


def _documents(matrix: Matrix, links: list[tuple[str, str]]) -> list[TeamsMessage]:
    """The card of the documents' links, if there are any."""
    if not links:
        return []
    return [
        _render(
            "publication/documents.json.j2",
            matrix.language,
            round_name=matrix.round.name,
            links=links,
        )
    ]


def _grid_groups(matrix: Matrix) -> list[_GridGroup]:
    said = _nouned(words(matrix.language).text, nouns_of(matrix.programme))
    groups = []
    for group in matrix.groups:
        lines = []
        for row in group.rows:
            dots = "".join(EMOJI[cell.colour] for cell in row.cells)
            critical = [matrix.unit_name(cell.unit) for cell in row.cells if cell.critical]
            line = (
                f"{dots}  **{card_escape(row.milestone.code)}** "
                f"{card_escape(clip(row.milestone.title, 60))}"
            )
            if critical:
                line += "  " + said("publication.grid_critical", units=", ".join(critical))
            lines.append(line)
        title = said("publication.grid_group", number=group.number, title=group.title)
        groups.append(_GridGroup(title, tuple(lines)))
    return groups


def grid_messages(matrix: Matrix) -> list[TeamsMessage]:
    """The matrix as dots, packed line by line into as few cards as the budget allows; a
    group that does not fit the card it starts in goes on in the next, under its title."""
    budget = CARD_BUDGET - 3000  # the head of each card, with the names of the columns
    parts: list[list[_GridGroup]] = [[]]
    used = 0
    for group in _grid_groups(matrix):
        lines = list(group.lines)
        while lines:
            room = budget - used - _cost(group.title)
            take = 0
            while take < len(lines) and room - _cost(lines[take]) >= 0:
                room -= _cost(lines[take])
                take += 1
            if take == 0 and parts[-1]:  # not even one line here: a new card
                parts.append([])
                used = 0
                continue
            take = max(take, 1)
            parts[-1].append(_GridGroup(group.title, tuple(lines[:take])))
            used += _cost(group.title) + sum(_cost(line) for line in lines[:take])
            lines = lines[take:]
    units = [unit.name for unit in matrix.units]
    return [
        _render(
            "publication/grid.json.j2",
            matrix.language,
            title=matrix.programme.title,
            round_name=matrix.round.name,
            part=number,
            parts=len(parts),
            units=units,
            groups=part,
        )
        for number, part in enumerate(parts, start=1)
    ]
