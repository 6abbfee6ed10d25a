"""The round's job handlers: invitations, reminders, hand-overs, notes, close and publish.

Each handler reads what it needs, decides from the database whether the DM is still
wanted (the round still open, the checklist not submitted, the person not snoozed, not
away, under max_reminders, outside quiet hours), then sends through the `Messenger` with
the job's dedupe key, and writes what came of it. No transaction is open while sending.

Who gets what while someone is away (Person.away_until, through that local day):
- An invitation or reminder to an away lead or deputy of a unit is not sent when someone
  covers: the unit's deputies who are not away, else its other leads who are not away.
  Each of them gets one `handover` DM per (round, away person, checklist) saying whom they
  cover for and until when; their own invitations and reminders go out as usual.
- When nobody covers (no one else present, or a reporter's own checklist) the away person
  gets their DMs anyway. Admins see absences and hand-overs in `round status`.
- `back` sends an invitation skipped while away (service/rounds.py).

`build_worker(messenger)` gives `serve` its worker: these handlers on the job queue, with
the replica's settings (job_concurrency, job_poll_seconds, job_lease_seconds, worker_id).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import BrokenExecutor
from datetime import datetime, timedelta
from typing import Protocol

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from conversations.clock import Clock, SystemClock
from conversations.errors import UserError
from conversations.rounds import is_away
from conversations.state import State
from models.checklists import Scope, load_context, may_answer
from models.conversation import Conversation
from models.db import ANY_DATABASE_ERROR
from models.jobs import Job, JobStatus
from models.people import Person
from models.planned import OPEN_PLANNED
from models.programme import Programme, Unit
from models.round import Round, RoundStatus
from service.failures import RENDER_FAILED, tell_admins
from service.jobs import Failure, Handler, JobContext, JobResult, Postpone, enqueue_many
from service.messenger import (
    DeliveryError,
    Messenger,
    Notice,
    PermanentFailure,
    Sent,
    TransientFailure,
)
from service.metrics import DM_KINDS, DMS_FAILED, DMS_SENT, PUBLICATIONS, REMINDERS_SENT
from service.planned_rounds import PLAN_NOTE, open_due, plan_notice
from service.round_plan import (
    CLOSE,
    HANDOVER,
    INVITE,
    NOTE,
    PUBLISH,
    REMIND,
    REMINDERS,
    RoundSettings,
    cover_for,
    handover_spec,
    remind_prefix,
    reminder_specs,
    round_settings,
    submitted_scopes,
)
from service.rounds import close_round
from service.runner import ChecklistRunner, remember_message
from service.worker import Worker

log = logging.getLogger(__name__)

PASSED_ON: tuple[type[BaseException], ...] = (DeliveryError, *ANY_DATABASE_ERROR)
"""What publishing raises that the worker knows what to do with (service/worker.py)."""


def _skipped(why: str, **more: object) -> JobResult:
    return {"skipped": why, **more}


def _sent(sent: Sent, **more: object) -> JobResult:
    return {"sent": True, "ref": sent.ref, "already_sent": sent.already_sent, **more}


def _counted(kind: str, handler: Handler) -> Handler:
    """The handler, with what it sent counted (service.metrics); a send found already done by
    an earlier attempt is not counted again."""

    async def run(context: JobContext) -> JobResult:
        result = await handler(context)
        if result and result.get("sent") and not result.get("already_sent"):
            if kind in DM_KINDS:
                DMS_SENT.labels(kind=kind).inc()
            if kind == REMIND:
                REMINDERS_SENT.inc()
            if kind == PUBLISH:
                PUBLICATIONS.labels(outcome="posted").inc()
        return result

    return run


class RoundJobs:
    """The handlers, bound to one Messenger and one clock."""

    def __init__(self, messenger: Messenger, clock: Clock) -> None:
        self.messenger = messenger
        self.clock = clock

    def handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            INVITE: self.invite,
            REMINDERS: self.reminders,
            REMIND: self.remind,
            HANDOVER: self.handover,
            NOTE: self.note,
            CLOSE: self.close,
            PUBLISH: self.publish,
            OPEN_PLANNED: self.open_planned,
            PLAN_NOTE: self.plan_note,
        }
        return {kind: _counted(kind, handler) for kind, handler in handlers.items()}

    # -- shared checks -----------------------------------------------------------------------
    async def _open_round(self, context: JobContext) -> tuple[Round, RoundSettings] | None:
        round_ = await Round.get_or_none(id=context.round_id) if context.round_id else None
        if round_ is None or round_.status is not RoundStatus.OPEN:
            return None
        return round_, round_settings(await Programme.get(id=round_.programme_id))

    @staticmethod
    def _outside_quiet_hours(settings: RoundSettings, now: datetime) -> None:
        allowed = settings.dm_time(now)
        if allowed > now:
            raise Postpone(allowed, "quiet hours")

    @staticmethod
    def _key(context: JobContext) -> str:
        return context.dedupe_key or f"job:{context.id}"

    @staticmethod
    async def _person(context: JobContext, field: str = "person_id") -> Person | None:
        person_id = context.payload.get(field)
        return await Person.get_or_none(id=person_id) if isinstance(person_id, int) else None

    # -- invitations -------------------------------------------------------------------------
    async def invite(self, context: JobContext) -> JobResult:
        """The checklist's intro as a new DM, which then is the live checklist message."""
        person = await self._person(context)
        found = await self._open_round(context)
        if person is None or found is None:
            return _skipped("round_not_open" if person else "no_person")
        round_, settings = found
        scope = Scope.parse(str(context.payload["scope"]))
        self._outside_quiet_hours(settings, context.now)
        cover = await cover_for(person, round_, scope, context.now, settings.timezone)
        if cover:
            async with in_transaction():
                await enqueue_many(
                    [handover_spec(round_, person, to, scope.wire, context.now) for to in cover]
                )
            return _skipped("away", handed_over_to=[p.id for p in cover])
        conversation = await _conversation(person, round_, scope.wire)
        if conversation.message_ref:
            return _skipped("live", ref=conversation.message_ref)
        try:
            reply = await ChecklistRunner(self.clock, source="invite").current(
                person, round_.id, scope.wire
            )
        except UserError as error:
            return _skipped(error.key)
        view = reply.views[-1]
        sent = await self.messenger.send_checklist(
            person.id, view, key=self._key(context), maybe_sent=context.retried
        )
        await remember_message(conversation.id, sent.ref)
        return _sent(sent)

    # -- reminders ---------------------------------------------------------------------------
    async def reminders(self, context: JobContext) -> JobResult:
        """A time of the schedule: queue a reminder to each person not yet submitted."""
        found = await self._open_round(context)
        if found is None:
            return _skipped("round_not_open")
        round_, _ = found
        if round_.deadline is not None and context.now >= round_.deadline:
            return _skipped("past_deadline")
        slot = str(context.payload.get("slot", context.id))
        async with in_transaction():
            specs = await reminder_specs(round_, slot=slot, run_at=context.now)
            queued = await enqueue_many(specs)
        return {"queued": queued}

    async def remind(self, context: JobContext) -> JobResult:
        person = await self._person(context)
        found = await self._open_round(context)
        if person is None or found is None:
            return _skipped("round_not_open" if person else "no_person")
        round_, settings = found
        scope = Scope.parse(str(context.payload["scope"]))
        now = context.now
        if not await may_answer(person, round_, scope):  # taken off it by a programme load
            return _skipped("not_asked")
        if scope.wire in await submitted_scopes(round_.id):
            return _skipped("submitted")
        if person.snoozed_until is not None and person.snoozed_until > now:
            return _skipped("snoozed")
        self._outside_quiet_hours(settings, now)
        if await cover_for(person, round_, scope, now, settings.timezone):
            return _skipped("away")
        if await reminders_sent(round_.id, person.id, but=context.id) >= settings.max_reminders:
            return _skipped("max_reminders")
        checklist = await load_context(round_, scope, person, now)
        notice = Notice(
            "round.reminder",
            {
                "round": round_.name,
                "checklist": checklist.scope_title,
                "deadline": round_.deadline,
                "timezone": settings.timezone,
                "answered": sum(1 for item in checklist.items if item.code in checklist.answers),
                "total": len(checklist.items),
                "late": checklist.late,
            },
            resume_round_id=round_.id,
            resume_scope=scope.wire,
        )
        return _sent(
            await self.messenger.send_notice(
                person.id, notice, key=self._key(context), maybe_sent=context.retried
            )
        )

    # -- hand-overs and notes ----------------------------------------------------------------
    async def handover(self, context: JobContext) -> JobResult:
        """Tell a deputy that they cover a unit's checklist for someone away."""
        to = await self._person(context)
        away = await self._person(context, "away_id")
        found = await self._open_round(context)
        if to is None or away is None or found is None:
            return _skipped("round_not_open" if found is None else "no_person")
        round_, settings = found
        if not is_away(away.away_until, context.now, settings.timezone):
            return _skipped("back")
        self._outside_quiet_hours(settings, context.now)
        scope = Scope.parse(str(context.payload["scope"]))
        unit = await Unit.get_or_none(programme_id=round_.programme_id, key=scope.key)
        notice = Notice(
            "round.handover",
            {
                "away": away.name,
                "until": away.away_until,
                "checklist": unit.name if unit else scope.key,
                "round": round_.name,
            },
            resume_round_id=round_.id,
            resume_scope=scope.wire,
        )
        return _sent(
            await self.messenger.send_notice(
                to.id, notice, key=self._key(context), maybe_sent=context.retried
            )
        )

    async def note(self, context: JobContext) -> JobResult:
        """A DM from a template key (to an admin): params are stored with the job."""
        person = await self._person(context)
        if person is None:
            return _skipped("no_person")
        round_ = await Round.get_or_none(id=context.round_id) if context.round_id else None
        if round_ is not None:
            programme = await Programme.get(id=round_.programme_id)
            self._outside_quiet_hours(round_settings(programme), context.now)
        params = context.payload.get("params")
        notice = Notice(
            str(context.payload["key"]), dict(params) if isinstance(params, dict) else {}
        )
        return _sent(
            await self.messenger.send_notice(
                person.id, notice, key=self._key(context), maybe_sent=context.retried
            )
        )

    # -- close and publish -------------------------------------------------------------------
    async def close(self, context: JobContext) -> JobResult:
        """At the deadline: close the round (unless it moved, or someone closed it first)."""
        round_ = await Round.get_or_none(id=context.round_id) if context.round_id else None
        if round_ is None or round_.status is not RoundStatus.OPEN:
            return _skipped("round_not_open")
        if round_.deadline is None or context.now < round_.deadline:
            return _skipped("deadline_moved")
        closed = await close_round(round_.id, context.now)
        if closed is None:
            return _skipped("round_not_open")
        return {"closed": True, "publishing": closed.publishing, "missing": len(closed.missing)}

    async def publish(self, context: JobContext) -> JobResult:
        """Mark the round published, then post it: once marked, no late answer gets in, so
        what the steering group reads is what the round holds.

        Only the job that marked the round posts it: a retry of that job posts again (the
        Messenger, told the key, finishes what is missing and repeats nothing), as does a
        publication queued again by `round publish` after one failed ({"again": true}).
        Any other publish job for a published round does nothing.
        """
        round_ = await Round.get_or_none(id=context.round_id) if context.round_id else None
        if round_ is None:
            return _skipped("no_round")
        if round_.status is RoundStatus.OPEN:
            return _skipped("reopened")
        marked = await Round.filter(id=round_.id, status=RoundStatus.CLOSED).update(
            status=RoundStatus.PUBLISHED, published_at=context.now
        )
        again = context.ran_before or bool(context.payload.get("again"))
        if not marked and not again:
            return _skipped("already_published")
        try:
            sent = await self.messenger.publish(round_.id, key=self._key(context), maybe_sent=again)
        except PASSED_ON:
            raise
        except BrokenExecutor as error:  # the render process died (killed, out of memory)
            raise TransientFailure(type(error).__name__) from error
        except Exception as error:  # compiling or drawing it failed: retrying repeats it
            log.exception("the publication could not be made", extra={"round": round_.id})
            raise PermanentFailure(type(error).__name__, key=RENDER_FAILED) from error
        return _sent(sent)

    # -- rounds planned on the meeting calendar (service/planned_rounds.py) -------------------
    async def open_planned(self, context: JobContext) -> JobResult:
        """A planned round's time: open it, let it wait, or let it lapse."""
        planned_id, version = context.payload.get("planned_id"), context.payload.get("version")
        if not isinstance(planned_id, int) or not isinstance(version, int):
            return _skipped("no_plan")
        return await open_due(planned_id, version, context.now)

    async def plan_note(self, context: JobContext) -> JobResult:
        """Tell an admin that a planned round opened, waits or lapsed."""
        person = await self._person(context)
        found = await plan_notice(context.payload)
        if person is None or found is None:
            return _skipped("no_person" if person is None else "no_plan")
        notice, settings = found
        self._outside_quiet_hours(settings, context.now)
        return _sent(
            await self.messenger.send_notice(
                person.id, notice, key=self._key(context), maybe_sent=context.retried
            )
        )

    # -- failures ----------------------------------------------------------------------------
    async def on_failed(self, job: Job, failure: Failure) -> None:
        """A DM or publication failed for good: counted, and a note to each admin of the
        programme saying what to do (service/failures.py; runs in the transaction that
        marks the job failed)."""
        if job.kind in DM_KINDS:
            DMS_FAILED.labels(kind=job.kind).inc()
        elif job.kind == PUBLISH:
            PUBLICATIONS.labels(outcome="failed").inc()
        await tell_admins(job, failure, self.clock.now())


async def reminders_sent(round_id: int, person_id: int, *, but: int | None = None) -> int:
    """Reminders this person has been sent in the round (scheduled, manual and snoozed)."""
    jobs = await Job.filter(
        dedupe_key__startswith=remind_prefix(round_id, person_id), status=JobStatus.DONE
    ).exclude(id=but or 0)
    return sum(1 for job in jobs if (job.result or {}).get("sent"))


async def _conversation(person: Person, round_: Round, scope: str) -> Conversation:
    found = await Conversation.get_or_none(person=person, round_id=round_.id, scope=scope)
    if found is not None:
        return found
    try:
        return await Conversation.create(
            person=person, round_id=round_.id, scope=scope, state=State().to_json()
        )
    except IntegrityError:
        return await Conversation.get(person=person, round_id=round_.id, scope=scope)


class WorkerSettings(Protocol):
    """What a replica's settings say about its worker (`bot.settings.Settings` has these)."""

    @property
    def worker_id(self) -> str: ...
    @property
    def job_concurrency(self) -> int: ...
    @property
    def job_lease_seconds(self) -> float: ...
    @property
    def job_poll_seconds(self) -> float: ...


def build_worker(
    messenger: Messenger,
    *,
    clock: Clock | None = None,
    settings: WorkerSettings,
    worker_id: str | None = None,
    extra: Mapping[str, Handler] | None = None,
) -> Worker:
    """The worker `serve` runs: the round's handlers (and any `extra` kinds) with this
    replica's settings. Start it with `run_forever()`; `await stop()` on shutdown."""
    clock = clock or SystemClock()
    jobs = RoundJobs(messenger, clock)
    return Worker(
        {**jobs.handlers(), **(extra or {})},
        clock=clock,
        worker_id=worker_id or settings.worker_id,
        concurrency=settings.job_concurrency,
        lease=timedelta(seconds=settings.job_lease_seconds),
        poll_seconds=settings.job_poll_seconds,
        on_failed=jobs.on_failed,
    )
