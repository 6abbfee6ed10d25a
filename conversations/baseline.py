"""On time by the lead's words, late by the plan's: the one rule "forecast past baseline".

An answer says a milestone is on time (started or expected, no delay band) while its
forecast cannot be met by the milestone's baseline deadline: the earliest day the forecast
can mean is after the latest day the baseline deadline can mean. Both days come from the
same reader (`reporting.deadlines`, handed to the dialogue as `ChecklistContext.read_forecast`),
so "Medio 2019" against "Medio 2019" is never past, and a forecast or a deadline that cannot
be read as days is never judged.

Two places ask it, and both ask it here: the checklist, which asks a lead once to confirm
such an answer (`checklist_steps`), and the trend, which flags such a cell
(`reporting.trend.past_baseline`).
"""

from __future__ import annotations

from datetime import date

from conversations.vocabulary import Delay, Progress

IN_HAND: tuple[Progress, ...] = (Progress.STARTED, Progress.EXPECTED)
"""Work not yet done: only it can slip, or be late against its baseline."""


def past_baseline(
    progress: Progress,
    delay: Delay,
    forecast_earliest: date | None,
    baseline_latest: date | None,
) -> bool:
    """Answered on time, yet with a forecast that cannot be met by the baseline deadline."""
    return (
        progress in IN_HAND
        and delay is Delay.ON_TIME
        and forecast_earliest is not None
        and baseline_latest is not None
        and forecast_earliest > baseline_latest
    )
