"""People in the stand-in: a lead (or the reporter) answering a checklist by clicks and modals.

A `Player` does what a person does in Slack: presses Start on the newest DM that offers
it, then for each milestone the view shows presses its progress, delay and critical
buttons, types a forecast and a remark in the modals those buttons open, presses Next,
and finally Submit on the review. A reporter whose answer does not hold for some unit
then picks that unit in the submitted message's choice and changes, there, only what
differs. After each click it waits — on the stand-in's change
signal, never by sleeping — until the app has redrawn the message, as a person waits
to see the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.demo.seed import Given
from conversations.events import decode
from standins.slack import SlackStub
from standins.slack.models import Message

REDRAW_WITHIN = 20.0  # seconds of real time; far above what a redraw takes
APART_SELECT = "fd:apart:select"
NOTHING = Given(code="", progress="none", delay="0", critical=False, forecast="", remark="")


class DemoError(Exception):
    """The app did not answer as a person would expect (a bug, not a user's mistake)."""


def milestone_code(message: Message) -> str | None:
    """The milestone a checklist message shows, or None when it shows something else."""
    for block in message.blocks or []:
        if block.get("block_id") == "fd_progress":
            return decode(block["elements"][0]["value"]).event.code
    return None


def _offers(message: Message, action_id: str) -> bool:
    for block in message.blocks or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return True
    return False


class Player:
    """One person answering one checklist, with the answers they will give."""

    def __init__(
        self,
        slack: SlackStub,
        user_id: str,
        answers: Mapping[str, Given],
        on_answer: Callable[[], None] = lambda: None,
        apart: Mapping[str, Mapping[str, Given]] | None = None,
    ) -> None:
        self.slack = slack
        self.user_id = user_id
        self.answers = answers
        self.apart = apart or {}  # unit key -> the answers that differ for it
        self.on_answer = on_answer
        self.clicks = 0
        self.modals = 0
        self._channel = ""
        self._ts = ""

    @property
    def live(self) -> Message:
        message = self.slack.workspace.find_message(self._channel, self._ts)
        if message is None:
            raise DemoError(f"{self.user_id}: the checklist message is gone")
        return message

    async def play(self) -> int:
        """Answer every milestone shown and submit; returns how many were answered."""
        start = next(
            (m for m in reversed(self.slack.dm(self.user_id)) if _offers(m, "fd:start:")), None
        )
        if start is None:
            raise DemoError(f"{self.user_id}: no invitation to start from")
        self._channel, self._ts = start.channel, start.ts
        await self._click("fd:start:")
        answered = 0
        while (code := milestone_code(self.live)) is not None:
            answer = self.answers.get(code)
            if answer is None:
                await self._click("fd:skip:")
                continue
            await self._answer(answer)
            answered += 1
            self.on_answer()
            await self._click("fd:next:")
        if not _offers(self.live, "fd:submit:"):
            raise DemoError(f"{self.user_id}: the review offers no submit")
        await self._click("fd:submit:")
        for unit, answers in self.apart.items():
            answered += await self._set_apart(unit, answers)
        return answered

    async def _set_apart(self, unit: str, answers: Mapping[str, Given]) -> int:
        """Open the unit's own answers from the live message and change what differs."""
        await self._choose(APART_SELECT, lambda scope: scope.endswith(f"@{unit}"))
        answered = 0
        while (code := milestone_code(self.live)) is not None:
            wanted = answers.get(code)
            if wanted is not None:
                await self._answer(wanted, over=self.answers.get(code))
                answered += 1
                self.on_answer()
            await self._click("fd:next:")
        if _offers(self.live, "fd:submit:"):
            await self._click("fd:submit:")
        return answered

    async def _answer(self, answer: Given, over: Given | None = None) -> None:
        """Give the answer; `over` is the draft already shown (a unit set apart starts from
        the common answer), so only what differs from it is clicked or typed."""
        was = over or NOTHING
        if answer.progress != was.progress or over is None:
            await self._click(f"fd:progress:{answer.progress}")
        if answer.delay != was.delay:
            await self._click(f"fd:delay:{answer.delay}")
        if answer.critical != was.critical:
            await self._click("fd:critical:")
        for field, action_id in (("forecast", "fdm:forecast"), ("remark", "fdm:remark")):
            text, shown = getattr(answer, field), getattr(was, field)
            if text != shown:
                if not text:
                    raise DemoError(f"{self.user_id}: the demo cannot empty a {field}")
                await self._type(action_id, text)

    async def _choose(self, action_id: str, wanted: Callable[[str], bool]) -> None:
        """Pick, in the live message's select, the option whose checklist `wanted` names."""
        message = self.live
        options = [
            option
            for block in message.blocks or []
            for element in block.get("elements") or []
            if isinstance(element, dict) and element.get("action_id") == action_id
            for option in element.get("options") or []
        ]
        value = next((o["value"] for o in options if wanted(decode(o["value"]).scope)), None)
        if value is None:
            raise DemoError(f"{self.user_id}: {action_id} offers no such choice")
        before = len(message.history)
        delivery = await self.slack.click(self.user_id, message, action_id, value)
        self.clicks += 1
        if not delivery.acked:
            raise DemoError(f"{self.user_id}: {action_id} was not acknowledged: {delivery}")
        await self._redrawn(message, before)

    async def _click(self, action_id: str) -> None:
        message = self.live
        before = len(message.history)
        delivery = await self.slack.click(self.user_id, message, action_id)
        self.clicks += 1
        if not delivery.acked:
            raise DemoError(f"{self.user_id}: {action_id} was not acknowledged: {delivery}")
        await self._redrawn(message, before)

    async def _type(self, action_id: str, text: str) -> None:
        """Open the text modal by its button, type, submit; the message then shows it."""
        message = self.live
        before = len(message.history)
        delivery = await self.slack.click(self.user_id, message, action_id)
        self.clicks += 1
        if not delivery.acked:
            raise DemoError(f"{self.user_id}: {action_id} was not acknowledged: {delivery}")
        modal = await self.slack.wait_for(lambda: self.slack.top_modal(self.user_id), REDRAW_WITHIN)
        if modal is None:
            raise DemoError(f"{self.user_id}: {action_id} opened no modal")
        values: dict[str, Any] = {"fd_text": text}
        submitted = await self.slack.submit(self.user_id, modal, values)
        self.modals += 1
        if not submitted.acked or self.slack.top_modal(self.user_id) is not None:
            raise DemoError(f"{self.user_id}: the {action_id} modal refused {text!r}")
        await self._redrawn(message, before)

    async def _redrawn(self, message: Message, before: int) -> None:
        await self.slack.wait_for(lambda: len(message.history) > before, REDRAW_WITHIN)
