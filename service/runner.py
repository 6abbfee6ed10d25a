"""The thin runner: load the stored state, step, store what the effects say, then tell.

Everything that touches the database happens in one transaction, and the person is told
nothing until it has committed: the views and messages it returns are for the platform
adapter to deliver afterwards. The conversation row carries a version; the runner writes
only the version it read, so two replicas acting on one conversation at once cannot both
apply an event — the loser starts over on fresh data. Whether the round takes answers is
decided inside that transaction too, on the round read first and locked again last
(`models.step_io.read_step`, `models.checklists.confirm_round`): no answer is stored after a
close, and a click that loses the race to one is told the round closed. The several
events of one submission (a Teams card's button and the text typed into it) are stepped in
that one transaction too (`handle_many`, `handle_card`): stored whole or not at all, and
counted once committed.

A click costs few statements: the programme's structure is kept per runner and read again
only when its revision moved (models/structure.py); the round, its revision and the
conversation row are one read, the checklist's answers another, and the conversation, the
answer and its revision one write on PostgreSQL (models/step_io.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.transactions import in_transaction

from conversations.card import CardSubmission, card_events
from conversations.checklist import (
    Effect,
    NotifyAdmins,
    Show,
    StoreAnswer,
    StoreSubmission,
    Tell,
    step,
)
from conversations.clock import Clock
from conversations.context import ChecklistContext
from conversations.errors import UserError
from conversations.events import Event
from conversations.state import State
from conversations.text import typed
from conversations.views import View, build
from models.checklists import (
    MilestoneGone,
    RoundChanged,
    Scope,
    confirm_round,
    permitted,
    step_context,
    store_answer,
    store_submission,
)
from models.conversation import Conversation
from models.db import DATABASE_ERRORS
from models.people import Person
from models.round import Round
from models.step_io import (
    AnswerWrite,
    ConversationWrite,
    StepRead,
    answer_values,
    read_step,
    write_step,
)
from models.structure import Structure, StructureCache
from render.nouns import nouns_for
from service.metrics import ANSWERS_STORED

log = logging.getLogger(__name__)

ATTEMPTS = 5


class StaleWrite(Exception):
    """Another writer moved the conversation on between our read and our write."""


RETRIED = (StaleWrite, RoundChanged, MilestoneGone, IntegrityError, TransactionManagementError)
"""A race lost: the step starts over on fresh data."""


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


Submission = list[Event] | CardSubmission
"""What one runner call applies: events in their order, or a card ordered against its view."""

AdminNotifier = Callable[[Round, Scope, NotifyAdmins, datetime], Awaitable[None]]
"""Queues a note to the programme's admins inside the step's transaction (service/rounds.py)."""


def _in_its_words(tell: Tell, context: ChecklistContext) -> Tell:
    """A refusal in the programme's own nouns («Du er ved første emne»), where it names any."""
    if not context.nouns:
        return tell
    return replace(tell, params={"noun": nouns_for(context.language, context.nouns), **tell.params})


class ChecklistRunner:
    def __init__(
        self,
        clock: Clock,
        source: str,
        *,
        notify_admins: AdminNotifier | None = None,
        structures: StructureCache | None = None,
    ) -> None:
        self.clock = clock
        self.source = source
        self.notify_admins = notify_admins
        # The programmes' structures, kept by revision (models/structure.py): a click reads
        # them only when a load or a roster change has moved the revision on.
        self.structures = structures or StructureCache()

    async def handle(self, actor: Person, round_id: int, scope_text: str, event: Event) -> Reply:
        """Apply one event for `actor` to their checklist `scope_text` in round `round_id`.

        Raises UserError when the round does not exist or the person may not answer this
        checklist; the dialogue's own refusals come back as `Tell`s in the reply. When the
        database fails (down, restarting, full, read-only) nothing is stored and the person
        is told so (`checklist.busy`) rather than the request failing.
        """
        return await self._run(actor, round_id, scope_text, [event])

    async def handle_many(
        self, actor: Person, round_id: int, scope_text: str, events: Sequence[Event]
    ) -> Reply:
        """The events of one submission, in order, in one transaction: all stored, or none.

        They come from one view and carry its version. When that view is the live one, an
        event after the first is given the version the earlier ones moved the conversation
        to: it belongs to the card the person acted on, not to an older one. From an older
        view each is judged as stale by the dialogue (a value for the milestone asked now
        is applied; a navigation is refused with "moved on"). The reply holds every tell
        and view in order (`view` is the last); with no events, the view as it stands.
        Refusals as for `handle`.
        """
        return await self._run(actor, round_id, scope_text, list(events))

    async def handle_card(
        self, actor: Person, round_id: int, scope_text: str, card: CardSubmission
    ) -> Reply:
        """A submitted card: its button and typed text, ordered by `conversations.card`
        against the view as it stands in the transaction, then applied as by `handle_many`."""
        return await self._run(actor, round_id, scope_text, card)

    async def _run(
        self, actor: Person, round_id: int, scope_text: str, submission: Submission
    ) -> Reply:
        submission = typed(submission)  # typed text as every door takes it (conversations/text)
        try:
            reply = await self._handle(actor, round_id, scope_text, submission)
        except DATABASE_ERRORS as error:
            log.warning("checklist step not stored: the database failed: %r", error)
            raise UserError("checklist.busy") from error
        if reply.stored:  # committed: counted here for every platform and `fremdrift try`
            ANSWERS_STORED.inc(reply.stored)
        return reply

    async def _handle(
        self, actor: Person, round_id: int, scope_text: str, submission: Submission
    ) -> Reply:
        scope = Scope.parse(scope_text)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._attempt(actor, round_id, scope, submission)
            except RETRIED as error:
                log.info("checklist step retried", extra={"attempt": attempt, "why": repr(error)})
        raise UserError("checklist.busy")

    async def _read(
        self, actor: Person, round_id: int, scope: Scope, now: datetime, *, writer: bool
    ) -> tuple[StepRead, Structure, ChecklistContext]:
        """The round with its conversation row (one statement), the structure (kept), whether
        the actor may answer, and the checklist's answers (one statement)."""
        read = await read_step(round_id, actor.id, scope.wire, writer=writer)
        if read is None:
            raise UserError("checklist.unknown_round")
        structure = await self.structures.get(read.round.programme_id, read.token)
        if not permitted(structure, actor, scope):
            raise UserError("checklist.not_allowed")
        context = await step_context(structure, read, scope, actor, now, self.structures)
        return read, structure, context

    async def _attempt(
        self, actor: Person, round_id: int, scope: Scope, submission: Submission
    ) -> Reply:
        now = self.clock.now()
        async with in_transaction():
            # open or closed: decided on the round read first here (writer_first on SQLite) …
            read, structure, context = await self._read(actor, round_id, scope, now, writer=True)
            round_, conversation = read.round, read.conversation
            state = State.from_json(
                conversation.state if conversation else None, [i.code for i in context.items]
            )
            reply = Reply(
                conversation_id=conversation.id if conversation else 0,
                version=state.version,
                language=context.language,
                message_ref=conversation.message_ref if conversation else None,
            )
            if isinstance(submission, CardSubmission):
                events = card_events(submission, build(state, context))
            else:
                events = submission
            if not events:
                reply.views.append(build(state, context))
                return reply
            new_state, stored = state, False
            # One event (a click): its answer is written with the conversation, in one
            # statement where the database allows (models/step_io.py); several: as they come.
            deferred: list[StoreAnswer] | None = [] if len(events) == 1 else None
            for event in events:
                if stored:  # the next event reads the answers the last one stored
                    context = await step_context(
                        structure, read, scope, actor, now, self.structures
                    )
                if event.version == state.version and new_state.version != state.version:
                    # drawn from the live view, which this submission's earlier events moved on
                    event = replace(event, version=new_state.version)
                new_state, effects = step(new_state, event, context)
                stored = await self._apply(
                    effects, actor, round_, scope, now, reply, context, deferred=deferred
                )
            reply.version = new_state.version
            if new_state != state:
                # Written only once there is something to keep: a refused first event (a
                # closed round, a stale button) leaves no row behind.
                answer = self._answer_write(deferred, structure, round_, scope, actor, now)
                written = await write_step(
                    ConversationWrite(
                        existing=conversation.id if conversation else None,
                        read_version=conversation.version if conversation else 0,
                        person_id=actor.id,
                        round_id=round_.id,
                        scope=scope.wire,
                        state=new_state.to_json(),
                        version=new_state.version,
                    ),
                    answer,
                )
                if written.conversation_id is None:
                    raise StaleWrite(conversation.id if conversation else 0)
                reply.conversation_id = written.conversation_id
                reply.stored += int(written.added)
            else:
                for effect in deferred or []:  # an answer without a step: none today
                    reply.stored += await self._store(effect, actor, round_, scope, now)
            await confirm_round(round_)  # … and held to until the commit: a close is a line
        return reply

    async def _apply(
        self,
        effects: list[Effect],
        actor: Person,
        round_: Round,
        scope: Scope,
        now: datetime,
        reply: Reply,
        context: ChecklistContext,
        *,
        deferred: list[StoreAnswer] | None = None,
    ) -> bool:
        """Store what the effects say and gather what to tell; True if anything was stored.
        With `deferred`, an answer is kept there, to be written with the conversation."""
        stored = False
        for effect in effects:
            if isinstance(effect, StoreAnswer):
                if deferred is not None and sum(isinstance(e, StoreAnswer) for e in effects) == 1:
                    deferred.append(effect)
                else:
                    reply.stored += await self._store(effect, actor, round_, scope, now)
                stored = True
            elif isinstance(effect, StoreSubmission):
                await store_submission(round_, scope, actor, now=now, late=effect.late)
                stored = True
            elif isinstance(effect, Show):
                reply.views.append(effect.view)
            elif isinstance(effect, Tell):
                reply.tells.append(_in_its_words(effect, context))
            elif isinstance(effect, NotifyAdmins):
                reply.notify_admins.append(effect)
                if self.notify_admins is not None:
                    await self.notify_admins(round_, scope, effect, now)
        return stored

    async def _store(
        self, effect: StoreAnswer, actor: Person, round_: Round, scope: Scope, now: datetime
    ) -> int:
        """An answer written on its own (a submission of several events); 1 if it changed."""
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
        return int(added)

    def _answer_write(
        self,
        deferred: list[StoreAnswer] | None,
        structure: Structure,
        round_: Round,
        scope: Scope,
        actor: Person,
        now: datetime,
    ) -> AnswerWrite | None:
        """The deferred answer as step_io writes it, with its ids from the structure."""
        if not deferred:
            return None
        (effect,) = deferred
        milestone = structure.by_code.get(effect.code)
        unit = structure.units.get(scope.unit_key) if scope.unit_key else None
        if milestone is None or (scope.unit_key and unit is None):
            raise MilestoneGone(effect.code)
        return AnswerWrite(
            round_id=round_.id,
            milestone_id=milestone.id,
            unit_id=unit.id if unit else None,
            scope=scope.answer_scope,
            values=answer_values(effect.answer),
            actor_id=actor.id,
            now=now,
            late=effect.late,
            source=self.source,
        )

    async def current(self, actor: Person, round_id: int, scope_text: str) -> Reply:
        """The view as it stands, without an event (for App Home, `me`, a resend)."""
        scope = Scope.parse(scope_text)
        read, _, context = await self._read(actor, round_id, scope, self.clock.now(), writer=False)
        conversation = read.conversation
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
