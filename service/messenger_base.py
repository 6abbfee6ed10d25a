"""What every platform's Messenger does alike; the platforms supply their primitives.

service/messenger.py says what a Messenger is. The rules of one live here, once:
- a notice is drawn in its reader's language (`service.people.reader_language`, with the
  round's programme), with a resume — and a snooze — button when it is about a checklist;
- a DM goes to the person's account on the platform; none is `Unreachable` (the job fails
  at once and the programme's admins hear who could not be reached);
- a send that may already have happened (`maybe_sent`, a retried job) is looked for first,
  and an earlier one found is returned as `already_sent` instead of sending again;
- the publication is compiled once (service/publication.py) and posted as one thread in
  the programme's steering channel on the platform, each part under its own key.

A platform supplies how it draws a view and a notice (its render module), finds an
account, finds and sends a DM, and where its steering channel is and what it posts there.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Generic, Protocol, TypeVar

from conversations.events import Start, encode
from conversations.views import View
from models.people import Account, Person
from models.programme import Programme
from models.round import Round
from service import people
from service.messenger import Notice, PermanentFailure, Sent, Unreachable
from service.publication import Channel, Publications, RoundPublication, post_thread

log = logging.getLogger(__name__)

M = TypeVar("M")
"""A message as the platform draws it (Block Kit, an Adaptive Card)."""
M_co = TypeVar("M_co", covariant=True)
Ref = dict[str, object]


class Drawing(Protocol[M_co]):
    """How a platform draws a view and a notice: its render module
    (render/slack/views.py, render/teams/views.py) is one."""

    def render_view(self, view: View) -> M_co: ...

    def render_notice(
        self,
        key: str,
        params: Mapping[str, object],
        *,
        language: str,
        resume: str | None = None,
        snooze: str | None = None,
    ) -> M_co: ...


class BaseMessenger(ABC, Generic[M]):
    platform: str

    def __init__(
        self,
        drawing: Drawing[M],
        *,
        default_language: str = "da",
        publications: Publications | None = None,
    ) -> None:
        self.drawing = drawing
        self.default_language = default_language
        self.publications = publications or Publications()

    # -- the platform's primitives --------------------------------------------------------------
    @abstractmethod
    async def account_of(self, person_id: int) -> Account | None:
        """The person's account on this platform, if they have one."""

    @abstractmethod
    async def find_dm(self, account: Account, key: str) -> Ref | None:
        """The DM an earlier attempt sent under `key`, if there is one."""

    @abstractmethod
    async def send_dm(self, account: Account, message: M, *, key: str) -> Ref:
        """Send the DM, written down under `key` so a retry can find it; where it landed."""

    @abstractmethod
    def steering_channel(self, programme: Programme) -> Channel[M] | None:
        """The programme's steering channel on this platform (None: it has none)."""

    @abstractmethod
    def publication_messages(self, publication: RoundPublication) -> Sequence[M]:
        """The publication as this platform posts it, the summary first (run in a thread:
        a large matrix takes a while to draw)."""

    # -- the Messenger --------------------------------------------------------------------------
    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return await self._send_dm(
            person_id, self.drawing.render_view(view), key=key, maybe_sent=maybe_sent
        )

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        person = await Person.get(id=person_id)
        programme = await people.round_programme(notice.resume_round_id)
        language = await people.reader_language(person, programme, fallback=self.default_language)
        resume = snooze = None
        if notice.resume_round_id is not None and notice.resume_scope:
            resume = encode(notice.resume_round_id, notice.resume_scope, Start())
            snooze = f"{notice.resume_round_id}|{notice.resume_scope}"
        message = self.drawing.render_notice(
            notice.key, notice.params, language=language, resume=resume, snooze=snooze
        )
        return await self._send_dm(person_id, message, key=key, maybe_sent=maybe_sent)

    async def publish(self, round_id: int, *, key: str, maybe_sent: bool = False) -> Sent:
        round_ = await Round.get(id=round_id)
        programme = await Programme.get(id=round_.programme_id)
        channel = self.steering_channel(programme)
        if channel is None:
            raise PermanentFailure(key="delivery.no_steering_channel", platform=self.platform)
        publication = await self.publications.of(round_id)
        messages = await asyncio.to_thread(self.publication_messages, publication)
        thread = await post_thread(channel, messages, key=key, maybe_sent=maybe_sent)
        await channel.attach(thread, publication, again=maybe_sent and not thread.new)
        return Sent(channel.ref(thread))

    async def _send_dm(self, person_id: int, message: M, *, key: str, maybe_sent: bool) -> Sent:
        account = await self.account_of(person_id)
        if account is None:
            raise Unreachable(key="delivery.no_account", platform=self.platform)
        if maybe_sent:
            found = await self.find_dm(account, key)
            if found is not None:
                return Sent(found, already_sent=True)
        ref = await self.send_dm(account, message, key=key)
        log.info(
            "dm sent",
            extra={"platform": self.platform, "user": account.user_id, "kind": key.split(":")[0]},
        )
        return Sent(ref)
