"""Where a click's CPU goes in the real app, from a cProfile dump of its process.

cProfile counts every resumption of a coroutine as a call, but sums its time correctly,
so the cumulative time of a coroutine function divided by the clicks is its cost per
click. cProfile slows Python code down (about 1.5–2× here), so absolute figures are
inflated; the shares are what to read.
"""

from __future__ import annotations

import pstats
from pathlib import Path

from benchmarks._report import fmt, table

# (label, path suffix, function name); indentation in the label shows nesting.
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("HTTP request, whole (aiohttp handler)", "aiohttp/web_protocol.py", "_handle_request"),
    ("  bolt: form body parsing (parse_qsl)", "urllib/parse.py", "parse_qsl"),
    ("  bolt: dispatch (middleware + listener)", "slack_bolt/app/async_app.py", "async_dispatch"),
    ("    listener on_click", "bot/slack/checklist.py", "on_click"),
    ("      person_for (user id → person)", "bot/slack/identity.py", "person_for"),
    ("      runner.handle", "service/runner.py", "handle"),
    ("        may_answer (roles)", "models/checklists.py", "may_answer"),
    ("        load_context", "models/checklists.py", "load_context"),
    ("          _answers (3 per click)", "models/checklists.py", "_answers"),
    ("          _baselines", "models/checklists.py", "_baselines"),
    ("          previous_round", "models/checklists.py", "previous_round"),
    ("        conversation row (select for update)", "service/runner.py", "_conversation"),
    ("        step (the pure dialogue)", "conversations/checklist.py", "step"),
    ("        store_answer (value clicks only)", "models/checklists.py", "store_answer"),
    ("redraw after the ack (Deliveries.show)", "bot/slack/delivery.py", "show"),
    ("  render_view (Jinja2 → Block Kit)", "render/slack/views.py", "render_view"),
    ("  POST to response_url", "bot/slack/delivery.py", "_respond"),
    ("all ORM queries (QuerySet._execute)", "tortoise/queryset.py", "_execute"),
    ("  model instances from rows", "tortoise/models.py", "_init_from_db"),
    ("  datetime parsing (iso8601)", "iso8601/iso8601.py", "parse_date"),
)
IDLE = ("select.epoll", "poll")


def breakdown(path: Path, clicks: int) -> str:
    """A table: each component's profiled ms per click and its share of busy CPU."""
    stats = pstats.Stats(str(path))
    raw = stats.stats  # type: ignore[attr-defined]
    busy = 0.0
    for (filename, _, name), (_, _, tottime, _, _) in raw.items():
        if not (IDLE[0] in filename or (filename == "~" and IDLE[0] in name)):
            busy += tottime
    rows: list[list[str]] = []
    for label, suffix, function in COMPONENTS:
        cumulative = sum(
            value[3]
            for (filename, _, name), value in raw.items()
            if name == function and filename.endswith(suffix)
        )
        rows.append(
            [
                label,
                fmt(cumulative / max(clicks, 1) * 1000, 2),
                fmt(100 * cumulative / busy if busy else 0.0, 0) + " %",
            ]
        )
    rows.append(["busy CPU in the process, all of it", fmt(busy / max(clicks, 1) * 1000, 2), ""])
    return table(["component (profiled)", "ms/click", "share"], rows)
