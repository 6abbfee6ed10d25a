"""Neutral views as Block Kit, through the templates in render/templates/slack/views/.

The templates write JSON; every value goes through `|json`, words come from the message
catalogue — `t()` for mrkdwn (data escaped for Slack), `tp()` for plain text — and user
text placed straight into mrkdwn goes through `|md`. Each block macro ends with a comma and
every list ends with a `null` that `_clean` removes, so templates never count commas.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment

from conversations.limits import SLACK_BLOCKS_LIMIT
from conversations.views import ReviewRow, ReviewView, View
from conversations.vocabulary import Colour, Delay, Progress
from render.i18n import Target, catalogue, mrkdwn_escape
from render.round_report import round_status_text
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

EMOJI = {Colour.GREEN: "🟢", Colour.YELLOW: "🟡", Colour.RED: "🔴", Colour.NONE: "⚪"}
SECTION_LIMIT = 2900  # under Slack's 3,000 characters, with room for a line's markup
SELECT_LIMIT = 100  # options per static select
REVIEW_DETAIL_LIMITS = (300, 120, 60, 30, 0)
"""How much of each forecast and remark a review line shows: the most that lets the review
keep to one message of Slack's 50 blocks (0: none, the status alone, as it fits)."""


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: list[dict[str, Any]]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return json_environment(m=mrkdwn_escape, md=mrkdwn_escape)


def _review_sections(language: str, detail: int) -> Callable[[ReviewView], Iterator[str]]:
    """The review as few sections as fit: one line per milestone, grouped, within limits;
    under it the answer's forecast and remark (and other typed answers), each cut to
    `detail` characters."""
    catalogued = catalogue(language, Target.SLACK)

    def line(row: ReviewRow, view: ReviewView) -> str:
        say = worded(catalogued.text, view)
        if row.answer is None:
            state = f"{EMOJI[Colour.NONE]} _{say('view.review.no_answer')}_"
        elif not view.header.light:
            state = mrkdwn_escape(summary_of(view)(row.answer) or say("view.review.no_answer"))
        else:
            state = EMOJI[row.answer.colour] + " " + mrkdwn_escape(status_of(view)(row.answer))
        extra = f" ({say('view.review.read_only', reporter=row.reporter)})" if row.read_only else ""
        head = f"*{mrkdwn_escape(row.code)}* {mrkdwn_escape(clip(row.title, 90))} — {state}{extra}"
        said = said_of(view)(row.answer, detail) if row.answer is not None else []
        if not said:
            return head
        details = " · ".join(
            say("view.milestone.labelled", label=label, text=" ".join(text.split()))
            for label, text in said
        )
        return f"{head}\n>{details}"  # quoted under its line

    def sections(view: ReviewView) -> Iterator[str]:
        lines: list[str] = []
        group = None
        for row in view.rows:
            if row.group_title != group:
                group = row.group_title
                lines.append(f"_{mrkdwn_escape(clip(group, 150))}_")
            lines.append(line(row, view))
        yield from _chunks(lines)

    return sections


def _edit_options(view: ReviewView) -> list[list[tuple[str, str]]]:
    editable = [(row.code, f"{row.code} {row.title}") for row in view.rows if not row.read_only]
    return [editable[i : i + SELECT_LIMIT] for i in range(0, len(editable), SELECT_LIMIT)]


def render_view(view: View) -> SlackMessage:
    """A neutral view as a Slack message (text fallback and blocks). A review shows as much
    of each forecast and remark as lets it keep to one message (`REVIEW_DETAIL_LIMITS`)."""
    view = titled(view)
    for detail in REVIEW_DETAIL_LIMITS if isinstance(view, ReviewView) else (0,):
        data = _render_view(view, detail)
        if len(data["blocks"]) <= SLACK_BLOCKS_LIMIT:
            break
    return SlackMessage(text=data["text"], blocks=data["blocks"])


def _render_view(view: View, detail: int) -> Any:
    language = view.header.language
    return _render(
        f"slack/views/{view.kind}.json.j2",
        language,
        view=view,
        choices={choice.value for choice in getattr(view, "choices", ())},
        progresses=[p.value for p in Progress],
        delays=[d.value for d in Delay],
        wire=wire_of(view),
        emoji=lambda colour: EMOJI[Colour(colour)],
        status=status_of(view),
        review_sections=_review_sections(language, detail),
        edit_options=_edit_options,
        start_of=start_of(view),
        label=label_of(view),
        summary=summary_of(view),
        said=said_of(view),
        t=worded(catalogue(language, Target.SLACK).text, view),
        tp=worded(catalogue(language, Target.PLAIN).text, view),
    )


def _render(template_name: str, language: str, **data: Any) -> Any:
    words = {
        "t": catalogue(language, Target.SLACK).text,
        "tp": catalogue(language, Target.PLAIN).text,
        **data,  # a view's own words (`worded`) come with it
    }
    source = _environment().get_template(template_name).render(**words)
    return drop_nulls(json.loads(source))


def render_modal(
    field: str,
    *,
    language: str,
    code: str,
    title: str,
    current: str,
    limit: int,
    metadata: str,
    label: str | None = None,
) -> dict[str, Any]:
    """The modal that takes a typed answer (a forecast, a remark, a programme's own question,
    titled with its `label`); `metadata` says which checklist and view."""
    data: dict[str, Any] = _render(
        "slack/views/modal.json.j2",
        language,
        field=field,
        label=label,
        code=code,
        title=title,
        current=current,
        limit=limit,
        metadata=metadata,
    )
    return data


def render_notice(
    key: str,
    params: Mapping[str, object],
    *,
    language: str,
    resume: str | None = None,
    snooze: str | None = None,
) -> SlackMessage:
    """A reminder or a note, with a resume (and snooze) button when it concerns a checklist."""
    data = _render(
        "slack/views/notice.json.j2",
        language,
        key=key,
        params=dict(params),
        resume=resume,
        snooze=snooze,
    )
    return SlackMessage(text=data["text"], blocks=data["blocks"])


def render_command_reply(reply: Any) -> SlackMessage:
    """A command's reply (a sentence, and checklists with resume buttons) as a message."""
    data = _render("slack/views/command_reply.json.j2", reply.language, reply=reply)
    return SlackMessage(text=data["text"], blocks=data["blocks"])


def render_home(reply: Any, admin_blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """The App Home tab: the person's checklists, then what an admin watches."""
    data: dict[str, Any] = _render(
        "slack/views/home.json.j2", reply.language, reply=reply, admin_blocks=admin_blocks
    )
    return data


def _chunks(lines: list[str], limit: int = SECTION_LIMIT) -> list[str]:
    """Lines joined into as few section texts as fit Slack's 3,000 characters."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = clip(line, limit)
        if current and size + len(line) + 1 > limit:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        chunks.append("\n".join(current))
    return chunks


def render_status(report: Any, language: str, *, max_sections: int = 40) -> SlackMessage:
    """A round's status (service.round_status.RoundReport) in the words of `round status`."""
    words = round_status_text(report, language, Target.SLACK)
    lines = [f"*{line.text}*" if line.checklist else line.text for line in words.lines]
    data = _render(
        "slack/views/status.json.j2",
        language,
        head=words.head,
        chunks=_chunks(lines)[:max_sections],
        failed=words.failed or "",
    )
    return SlackMessage(text=data["text"], blocks=data["blocks"])
