"""The thin runner: load the stored state, step, store what the effects say, then tell.

Everything that touches the database happens in one transaction, and the person is told
nothing until it has committed: the views and messages it returns are for the platform
adapter to deliver afterwards. The conversation row carries a version; the runner writes
only the version it read, so two replicas acting on one conversation at once cannot both
apply an event — the loser starts over on fresh data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.transactions import in_transaction

from conversations.checklist import NotifyAdmins, Show, StoreAnswer, StoreSubmission, Tell, step
from conversations.clock import Clock
from conversations.errors import UserError
from conversations.events import Event
from conversations.state import State
from conversations.views import View, build
from models.checklists import Scope, load_context, may_answer, store_answer, store_submission
from models.conversation import Conversation
from models.db import DATABASE_ERRORS
from models.people import Person
from models.round import Round

log = logging.getLogger(__name__)

ATTEMPTS = 5


class StaleWrite(Exception):
    """Another writer moved the conversation on between our read and our write."""


@dataclass
class Reply:
    """What the adapter delivers once the transaction has committed."""

    conversation_id: int
    version: int
    language: str
    views: list[View] = field(default_factory=list)
    tells: list[Tell] = field(default_factory=list)
    notify_admins: list[NotifyAdmins] = field(default_factory=list)
    stored: int = 0
    message_ref: dict[str, object] | None = None

    @property
    def view(self) -> View | None:
        return self.views[-1] if self.views else None


AdminNotifier = Callable[[Round, Scope, NotifyAdmins, datetime], Awaitable[None]]
"""Queues a note to the programme's admins inside the step's transaction (service/rounds.py)."""


class ChecklistRunner:
    def __init__(
        self, clock: Clock, source: str, *, notify_admins: AdminNotifier | None = None
    ) -> None:
        self.clock = clock
        self.source = source
        self.notify_admins = notify_admins

    async def handle(self, actor: Person, round_id: int, scope_text: str, event: Event) -> Reply:
        """Apply one event for `actor` to their checklist `scope_text` in round `round_id`.

        Raises UserError when the round does not exist or the person may not answer this
        checklist; the dialogue's own refusals come back as `Tell`s in the reply. When the
        database fails (down, restarting, full, read-only) nothing is stored and the person
        is told so (`checklist.busy`) rather than the request failing.
        """
        try:
            return await self._handle(actor, round_id, scope_text, event)
        except DATABASE_ERRORS as error:
            log.warning("checklist step not stored: the database failed: %r", error)
            raise UserError("checklist.busy") from error

    async def _handle(self, actor: Person, round_id: int, scope_text: str, event: Event) -> Reply:
        scope = Scope.parse(scope_text)
        round_ = await Round.get_or_none(id=round_id)
        if round_ is None:
            raise UserError("checklist.unknown_round")
        if not await may_answer(actor, round_, scope):
            raise UserError("checklist.not_allowed")
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._attempt(actor, round_, scope, event)
            except (StaleWrite, IntegrityError, TransactionManagementError) as error:
                log.info("checklist step retried", extra={"attempt": attempt, "why": repr(error)})
        raise UserError("checklist.busy")

    async def _attempt(self, actor: Person, round_: Round, scope: Scope, event: Event) -> Reply:
        now = self.clock.now()
        async with in_transaction():
            conversation = await self._conversation(actor, round_, scope)
            context = await load_context(round_, scope, actor, now)
            state = State.from_json(
                conversation.state if conversation else None, [i.code for i in context.items]
            )
            new_state, effects = step(state, event, context)
            reply = Reply(
                conversation_id=conversation.id if conversation else 0,
                version=new_state.version,
                language=context.language,
                message_ref=conversation.message_ref if conversation else None,
            )
            for effect in effects:
                if isinstance(effect, StoreAnswer):
                    added = await store_answer(
                        round_,
                        scope,
                        effect.code,
                        effect.answer,
                        actor,
                        now=now,
                        late=effect.late,
                        source=self.source,
                    )
                    reply.stored += int(added)
                elif isinstance(effect, StoreSubmission):
                    await store_submission(round_, scope, actor, now=now, late=effect.late)
                elif isinstance(effect, Show):
                    reply.views.append(effect.view)
                elif isinstance(effect, Tell):
                    reply.tells.append(effect)
                elif isinstance(effect, NotifyAdmins):
                    reply.notify_admins.append(effect)
                    if self.notify_admins is not None:
                        await self.notify_admins(round_, scope, effect, now)
            if new_state != state:
                if conversation is None:
                    # Written only once there is something to keep: a refused first event
                    # (a closed round, a stale button) leaves no row behind.
                    created = await Conversation.create(
                        person=actor,
                        round_id=round_.id,
                        scope=scope.wire,
                        state=new_state.to_json(),
                        version=new_state.version,
                    )
                    reply.conversation_id = created.id
                else:
                    updated = await Conversation.filter(
                        id=conversation.id, version=conversation.version
                    ).update(state=new_state.to_json(), version=new_state.version)
                    if updated != 1:
                        raise StaleWrite(conversation.id)
        return reply

    async def _conversation(
        self, actor: Person, round_: Round, scope: Scope
    ) -> Conversation | None:
        return (
            await Conversation.filter(person=actor, round_id=round_.id, scope=scope.wire)
            .select_for_update()
            .first()
        )

    async def current(self, actor: Person, round_id: int, scope_text: str) -> Reply:
        """The view as it stands, without an event (for App Home, `me`, a resend)."""
        scope = Scope.parse(scope_text)
        round_ = await Round.get_or_none(id=round_id)
        if round_ is None:
            raise UserError("checklist.unknown_round")
        if not await may_answer(actor, round_, scope):
            raise UserError("checklist.not_allowed")
        conversation = await Conversation.get_or_none(
            person=actor, round_id=round_.id, scope=scope.wire
        )
        context = await load_context(round_, scope, actor, self.clock.now())
        state = State.from_json(
            conversation.state if conversation else None, [i.code for i in context.items]
        )
        return Reply(
            conversation_id=conversation.id if conversation else 0,
            version=state.version,
            language=context.language,
            views=[build(state, context)],
            message_ref=conversation.message_ref if conversation else None,
        )


async def remember_message(conversation_id: int, message_ref: dict[str, object]) -> None:
    """Where the live checklist message is, so the next step updates it in place."""
    await Conversation.filter(id=conversation_id).update(message_ref=message_ref)
