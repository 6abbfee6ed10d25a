"""A transcript driver for the pure dialogue: send events, read what came back.

No database and no platform: the context's answers are updated from the StoreAnswer
effects exactly as the runner would store them, so a transcript reads like a person's
walk through the checklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from conversations.checklist import Effect, Show, StoreAnswer, StoreSubmission, Tell, step
from conversations.context import AnswerData, ChecklistContext, Item
from conversations.events import Event
from conversations.state import State
from conversations.views import View
from reporting.deadlines import forecast_range

NOW = datetime(2018, 6, 11, 10, 0, tzinfo=UTC)


def context(codes: list[str], **changes: Any) -> ChecklistContext:
    """A checklist context of `codes`; `changes` replace its fields, as `dataclasses.replace`."""
    items = tuple(
        Item(code=code, title=f"Title of {code}", group_title="Group", baseline="Medio 2019")
        for code in codes
    )
    base = ChecklistContext(
        round_id=1,
        round_name="12. møde",
        scope="unit:syddanmark",
        scope_title="Syddanmark",
        language="da",
        timezone="Europe/Copenhagen",
        deadline=datetime(2018, 6, 15, 21, 59, tzinfo=UTC),
        items=items,
        answers={},
        actor_name="Lead",
        now=NOW,
        read_forecast=forecast_range,
    )
    return replace(base, **changes)


@dataclass
class Dialog:
    ctx: ChecklistContext
    state: State = field(default_factory=State)
    stored: list[StoreAnswer] = field(default_factory=list)
    submissions: int = 0
    last_effects: list[Effect] = field(default_factory=list)

    def send(self, event: Event) -> Dialog:
        self.state, self.last_effects = step(self.state, event, self.ctx)
        for effect in self.last_effects:
            if isinstance(effect, StoreAnswer):
                self.stored.append(effect)
                self.ctx = self.ctx.with_answer(effect.code, effect.answer)
            elif isinstance(effect, StoreSubmission):
                self.submissions += 1
                self.ctx = replace(self.ctx, submitted_at=NOW)
        return self

    @property
    def view(self) -> View:
        shows = [e for e in self.last_effects if isinstance(e, Show)]
        assert shows, f"no view in {self.last_effects}"
        return shows[-1].view

    @property
    def tells(self) -> list[str]:
        return [e.key for e in self.last_effects if isinstance(e, Tell)]

    def tell(self, key: str) -> Tell:
        found = [e for e in self.last_effects if isinstance(e, Tell) and e.key == key]
        assert found, f"no {key} in {self.tells}"
        return found[0]

    def answer(self, code: str) -> AnswerData:
        return self.ctx.answers[code]

    @property
    def version(self) -> int:
        return self.state.version
