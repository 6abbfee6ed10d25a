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
    ("        read_step (round, revision, conversation)", "models/step_io.py", "read_step"),
    ("        structure (kept; read on a new revision)", "models/structure.py", "get"),
    ("        step_context (the checklist's answers)", "models/checklists.py", "step_context"),
    ("          read_answers (one statement)", "models/step_io.py", "read_answers"),
    ("        step (the pure dialogue)", "conversations/checklist.py", "step"),
    ("        write_step (conversation, answer, revision)", "models/step_io.py", "write_step"),
    ("        confirm_round (PostgreSQL's lock)", "models/checklists.py", "confirm_round"),
    ("redraw after the ack (Deliveries.show)", "bot/slack/delivery.py", "show"),
    ("  render_view (Jinja2 → Block Kit)", "render/slack/views.py", "render_view"),
    ("  POST to response_url", "bot/slack/delivery.py", "_respond"),
    ("all ORM queries (QuerySet._execute)", "tortoise/queryset.py", "_execute"),
    (
        "all statements sent (Tortoise's client)",
        "tortoise/backends/sqlite/client.py",
        "execute_query",
    ),
    ("  and as dicts", "tortoise/backends/sqlite/client.py", "execute_query_dict"),
    ("  model instances from rows", "tortoise/models.py", "_init_from_db"),
    ("  datetime parsing (iso8601)", "iso8601/iso8601.py", "parse_date"),
)
IDLE = ("select.epoll", "poll")


def breakdown(path: Path, clicks: int) -> str:
    """A table: each component's profiled ms per click and its share of busy CPU."""
    stats = pstats.Stats(str(path))
    raw = stats.stats  # type: ignore[attr-defined]  # typeshed leaves pstats.Stats.stats out
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
